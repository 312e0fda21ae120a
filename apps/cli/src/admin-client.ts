import { CliError, EXIT, exitCodeOfStatus } from './exit-codes.js';

/** Where the gateway is when `PK_URL` is not set. */
export const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:8787';
/** What a header value may hold: printable ASCII (a gateway key is `pk-` and base64url). */
const HEADER_SAFE = /^[\x20-\x7e]+$/;
/** How long one admin call may take. */
const CALL_TIMEOUT_MS = 30_000;

/** A running gateway's admin API, called with the admin key. */
export interface AdminClient {
  /** The gateway's base URL (without `/v1`), for messages. */
  readonly url: string;
  /** Calls `/v1<path>`; resolves with the parsed JSON answer, or throws a {@link CliError}. */
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
  /**
   * GETs `<url><pathAndQuery>` without the admin key (a link the gateway signed, such as a log
   * export's file) and resolves with the answer once it is a 2xx, its body not read yet; a refusal
   * throws a {@link CliError}. No time limit: `signal` ends it.
   */
  open(pathAndQuery: string, signal?: AbortSignal): Promise<Response>;
  /**
   * Throws what {@link call} would for a missing or unusable `PK_ADMIN_KEY`: a command checks it
   * before asking for a secret at the terminal, not after it was typed.
   */
  checkKey(): void;
}

/** The gateway's URL from `PK_URL` (with or without a trailing `/v1`). */
export function gatewayUrlOf(env: Readonly<Record<string, string | undefined>>): string {
  const raw = env.PK_URL?.trim() || DEFAULT_GATEWAY_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`PK_URL is not a URL: ${JSON.stringify(raw)}`, EXIT.usage);
  }
  if (url.username !== '' || url.password !== '') {
    url.username = url.username === '' ? '' : '***';
    url.password = url.password === '' ? '' : '***';
    throw new CliError(
      `PK_URL must not carry a user name or password (the admin key goes in PK_ADMIN_KEY), got ${url.toString()}`,
      EXIT.usage,
    );
  }
  // (`localhost:8787` parses too, as the scheme `localhost:`: named as such, not "unreachable".)
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CliError(
      `PK_URL must start with http:// or https:// (its scheme is ${JSON.stringify(url.protocol)})`,
      EXIT.usage,
    );
  return url.toString().replace(/\/+$/, '').replace(/\/v1$/, '');
}

/** The message of an error answer: pk's envelope, or Portkey's top-level `message`, or the status. */
function messageOf(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: { message?: unknown } };
    if (typeof body.error?.message === 'string') return body.error.message;
    if (typeof body.message === 'string') return body.message;
  } catch {
    // not JSON
  }
  return `the gateway answered ${status}`;
}

/**
 * The admin API client of `PK_URL` and `PK_ADMIN_KEY` (sent as `x-portkey-api-key`, never printed).
 * Errors keep the gateway's message and map its status to an exit code.
 */
export function createAdminClient(env: Readonly<Record<string, string | undefined>>): AdminClient {
  const url = gatewayUrlOf(env);
  const key = env.PK_ADMIN_KEY?.trim();
  const unreachable = (error: unknown) => {
    // The system's code (ECONNREFUSED, ENOTFOUND), else fetch's own reason ("bad port": a port
    // browsers refuse, such as 6000), not the bare "TypeError" of "fetch failed".
    const { cause: reason } = error as { cause?: { code?: unknown; message?: unknown } };
    const cause =
      typeof reason?.code === 'string'
        ? reason.code
        : typeof reason?.message === 'string' && reason.message !== ''
          ? reason.message
          : (error as Error).name;
    return new CliError(
      `cannot reach the gateway at ${url} (${cause}): is it running? Set PK_URL to its address`,
      EXIT.failure,
    );
  };
  const usableKey = (): string => {
    if (!key) {
      throw new CliError(
        'PK_ADMIN_KEY is not set: export the admin key `pk init` printed (or one from `pk keys create --admin`)',
        EXIT.unauthorized,
      );
    }
    // docker's --env-file (and a .env read by some tools) keeps PK_ADMIN_KEY="pk-…" quoted: a key pk
    // printed never has quotes, and sent with them it was only "a valid gateway key is required".
    if (/^(["']).*\1$/s.test(key)) {
      throw new CliError(
        'PK_ADMIN_KEY is wrapped in quotes (docker’s --env-file keeps them): set the key without them',
        EXIT.unauthorized,
      );
    }
    // fetch would throw a bare TypeError for it, reported as an unreachable gateway.
    if (!HEADER_SAFE.test(key)) {
      throw new CliError(
        'PK_ADMIN_KEY holds a character an HTTP header cannot carry (a line break inside it, or one that is not ASCII): export the key exactly as pk printed it',
        EXIT.unauthorized,
      );
    }
    return key;
  };
  return {
    url,
    checkKey: () => {
      usableKey();
    },
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      const key = usableKey();
      let response: Response;
      try {
        response = await fetch(`${url}/v1${path}`, {
          method,
          headers: {
            'x-portkey-api-key': key,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
        });
      } catch (error) {
        throw unreachable(error);
      }
      const text = await response.text();
      // Every answer of a pk gateway carries its trace id: without one, PK_URL names another server.
      if (!response.headers.has('x-portkey-trace-id')) {
        throw new CliError(
          `the server at ${url} answered ${response.status} but is not a pk gateway (no x-portkey-trace-id): check PK_URL`,
          EXIT.failure,
        );
      }
      if (response.status === 401) {
        // The gateway's words name its header; the operator set a variable.
        throw new CliError(
          `${messageOf(response.status, text)}; check PK_ADMIN_KEY: the gateway at ${url} did not take it`,
          exitCodeOfStatus(response.status),
        );
      }
      if (!response.ok)
        throw new CliError(messageOf(response.status, text), exitCodeOfStatus(response.status));
      try {
        return (text === '' ? {} : JSON.parse(text)) as T;
      } catch {
        throw new CliError(`the gateway at ${url} answered something that is not JSON`, EXIT.failure);
      }
    },
    async open(pathAndQuery: string, signal?: AbortSignal): Promise<Response> {
      let response: Response;
      try {
        response = await fetch(`${url}${pathAndQuery}`, signal === undefined ? {} : { signal });
      } catch (error) {
        if (signal?.aborted) throw error;
        throw unreachable(error);
      }
      if (!response.ok)
        throw new CliError(
          messageOf(response.status, await response.text()),
          exitCodeOfStatus(response.status),
        );
      return response;
    },
  };
}
