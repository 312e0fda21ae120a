import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GatewayProcess, startGateway } from '../server-process.js';
import { type LogLine, requestLineOf } from './output-lines.js';
import { FEATURE_CA_PATH, type ProviderMock } from './recording-provider-mock.js';

export type { LogLine } from './output-lines.js';

/** The built gateway as a process, in front of the provider mock, with its log lines at hand. */
export interface FeatureGateway {
  readonly process: GatewayProcess;
  /** `http://127.0.0.1:<port>/v1`: the base URL of the SDKs. */
  readonly base: string;
  readonly url: string;
  /** Every JSON line the process wrote so far. */
  logLines(): LogLine[];
  /** The request lines (`msg: "request"`) of one trace id. */
  requestLines(traceId: string): LogLine[];
  /**
   * The first `count` request lines of `traceId`, once written: fails after `timeoutMs` (default: the
   * shared wait's, `LINE_TIMEOUT_MS`) with the last lines seen.
   */
  waitForRequestLines(traceId: string, count?: number, timeoutMs?: number): Promise<LogLine[]>;
  stop(): Promise<void>;
}

/**
 * Starts `node dist/server.js` with `settings` written to a settings file: with a recording `mock`,
 * calls to providers' real host names go through its CONNECT proxy (`HTTPS_PROXY`, the test CA trusted), calls to
 * 127.0.0.1 go straight to the mock; log lines are written at once (`PK_LOG_FLUSH_MS=0`).
 */
export async function startFeatureGateway(options: {
  /** The recording mock whose CONNECT proxy serves providers' real host names (none: no proxy). */
  readonly mock?: Pick<ProviderMock, 'proxyUrl'>;
  readonly settings?: unknown;
  readonly env?: Readonly<Record<string, string>>;
}): Promise<FeatureGateway> {
  const directory = mkdtempSync(join(tmpdir(), 'pk-features-'));
  const settingsPath = join(directory, 'settings.json');
  writeFileSync(settingsPath, JSON.stringify(options.settings ?? {}));
  const starting = startGateway({
    PK_SETTINGS: settingsPath,
    PK_LOG_FLUSH_MS: '0',
    ...(options.mock === undefined
      ? {}
      : {
          HTTPS_PROXY: options.mock.proxyUrl,
          NO_PROXY: '127.0.0.1,localhost',
          NODE_EXTRA_CA_CERTS: FEATURE_CA_PATH,
        }),
    ...options.env,
  });
  // A start that fails leaves no folder behind.
  const process = await starting.catch((error: unknown) => {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  });
  const logLines = (): LogLine[] =>
    process.lines().filter((line): line is LogLine => typeof line === 'object');
  const requestLines = (traceId: string) => logLines().filter(requestLineOf(traceId));
  return {
    process,
    url: process.url,
    base: `${process.url}/v1`,
    logLines,
    requestLines,
    waitForRequestLines: (traceId, count = 1, timeoutMs) =>
      process.waitForLines(requestLineOf(traceId), {
        count,
        description: `the request line of trace id ${traceId}`,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      }),
    async stop() {
      // Lines are written at once (PK_LOG_FLUSH_MS=0), so nothing is lost; SIGTERM's drain would wait
      // for the idle keep-alive sockets an aborted fetch leaves behind (up to undici's 4 s).
      process.child.kill('SIGKILL');
      await process.exited;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Raw HTTP through the gateway: status, headers and the JSON (or text) body. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): Promise<{ status: number; headers: Headers; json: Record<string, unknown>; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // SSE or text: the caller reads `text`.
  }
  return { status: response.status, headers: response.headers, json, text };
}

/** The official SDK's `getHeaders()`: every `x-portkey-*` response header without its prefix. */
export function portkeyHeadersOf(answer: unknown): Record<string, string> {
  const getHeaders = (answer as { getHeaders?: () => unknown }).getHeaders;
  return (getHeaders?.call(answer) ?? {}) as Record<string, string>;
}

/** The status and code of an SDK error (`APIError`), or of anything thrown. */
export function errorOf(caught: unknown): {
  status?: number;
  code?: string;
  message: string;
  headers?: Headers;
} {
  const error = caught as { status?: number; code?: string; message?: string; headers?: Headers };
  return {
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.code === undefined ? {} : { code: error.code }),
    message: String(error.message ?? caught),
    ...(error.headers === undefined ? {} : { headers: error.headers }),
  };
}

/** The error a call fails with (see {@link errorOf}); fails the test when the call succeeds. */
export async function rejectionOf(call: Promise<unknown>): Promise<ReturnType<typeof errorOf>> {
  try {
    await call;
  } catch (caught) {
    return errorOf(caught);
  }
  throw new Error('expected the call to fail');
}
