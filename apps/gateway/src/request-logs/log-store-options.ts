import { isAbsolute, resolve } from 'node:path';
import { pathVariableProblem } from '@pk/store';
import { StartupError } from '../server-options.js';
import { shownUrl, shownValue } from '../shown-value.js';

/** How the request log store runs, from the environment. */
export interface LogStoreOptions {
  /** `PK_LOG_STORE` (default on): one record per proxied request in the data store. */
  readonly enabled: boolean;
  /** `PK_LOG_RETENTION_DAYS` (default 30): older records are deleted in the background. */
  readonly retentionDays: number;
  /** `PK_LOG_BODIES` (default false): store request and response bodies (64 KiB each at most). */
  readonly bodies: boolean;
  /** `PK_LOG_QUEUE_SIZE` (default 20000): records held while the store writes; beyond, dropped. */
  readonly queueSize: number;
  /**
   * `PK_LOG_STORE_FLUSH_MS` (default 1000): the writer writes what is queued at least this often,
   * so a record is queryable within about twice this.
   */
  readonly flushMs: number;
  /**
   * `PK_PUBLIC_URL` (default none): the gateway's address as clients reach it (behind a proxy:
   * `https://ai.example.com`), for the links it hands out (log export downloads); without it, a
   * link is built from the request's `Host` and the connection's protocol.
   */
  readonly publicUrl: string | undefined;
  /**
   * `PK_LOG_SPILL_PATH` (default `PK_DATA_DIR/request-log-spill.jsonl`): the file records the store
   * still refuses at shutdown go to, replayed at the next start; absolute (a relative one is resolved
   * against the working directory).
   */
  readonly spillPath: string | undefined;
}

/**
 * `PK_PUBLIC_URL`: an http(s) URL without credentials, query or fragment, its trailing slashes
 * dropped. Credentials would have been dropped from the links silently (the URL's origin has none)
 * while a refusal echoed them: refused, and never shown.
 */
function publicUrlOf(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new StartupError(`PK_PUBLIC_URL must be a URL (https://ai.example.com), got ${shownUrl(value)}`);
  }
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    url.hash !== ''
  )
    throw new StartupError(
      `PK_PUBLIC_URL must be an http(s) URL without credentials, query or fragment (https://ai.example.com), got ${shownUrl(value)}`,
    );
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/** `PK_LOG_SPILL_PATH`: a file's path (not a folder's: it ends with a name). */
function spillPathOf(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const problem = pathVariableProblem('PK_LOG_SPILL_PATH', value);
  if (problem !== undefined) throw new StartupError(problem);
  if (/[/\\]$/.test(value) || value.includes('\0'))
    throw new StartupError(
      `PK_LOG_SPILL_PATH must name a file (/var/lib/pk/request-log-spill.jsonl), got ${shownValue(value)}`,
    );
  return isAbsolute(value) ? value : resolve(value);
}

/** An on/off variable, read as server-options' `flag` reads them (surrounding whitespace taken off). */
function flag(value: string | undefined, name: string, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  const normalised = value.trim().toLowerCase();
  if (['1', 'true', 'on', 'yes'].includes(normalised)) return true;
  if (['0', 'false', 'off', 'no'].includes(normalised)) return false;
  throw new StartupError(
    `${name} must be on or off (1/0, true/false, on/off, yes/no), got ${JSON.stringify(value)}`,
  );
}

function integer(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined || value === '') return fallback;
  // Decimal digits only (decision 0007): `1e3`, `0x10`, a sign, a space or a fraction is refused.
  const parsed = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(parsed) || parsed < min || parsed > max)
    throw new StartupError(`${name} must be a whole number from ${min} to ${max}, got ${shownValue(value)}`);
  return parsed;
}

/**
 * Reads `PK_LOG_STORE`, `PK_LOG_RETENTION_DAYS`, `PK_LOG_BODIES`, `PK_LOG_QUEUE_SIZE`,
 * `PK_LOG_STORE_FLUSH_MS`, `PK_PUBLIC_URL` and `PK_LOG_SPILL_PATH`.
 */
export function readLogStoreOptions(env: Readonly<Record<string, string | undefined>>): LogStoreOptions {
  return {
    enabled: flag(env.PK_LOG_STORE, 'PK_LOG_STORE', true),
    retentionDays: integer(env.PK_LOG_RETENTION_DAYS, 'PK_LOG_RETENTION_DAYS', 30, 1, 36_500),
    bodies: flag(env.PK_LOG_BODIES, 'PK_LOG_BODIES', false),
    queueSize: integer(env.PK_LOG_QUEUE_SIZE, 'PK_LOG_QUEUE_SIZE', 20_000, 100, 10_000_000),
    flushMs: integer(env.PK_LOG_STORE_FLUSH_MS, 'PK_LOG_STORE_FLUSH_MS', 1000, 10, 60_000),
    publicUrl: publicUrlOf(env.PK_PUBLIC_URL),
    spillPath: spillPathOf(env.PK_LOG_SPILL_PATH),
  };
}
