/** An error answer of the gateway, in its envelope (`{error: {message, code, param}}`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | null;
  readonly param: string | null;
  /** The call's method: a write that got no answer is not retried by loading the page again. */
  readonly method: string;
  constructor(status: number, message: string, code: string | null, param: string | null, method = 'GET') {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.param = param;
    this.method = method;
  }
}

/** What a call that got no answer at all says (the browser's own text is only "Failed to fetch"). */
export const GATEWAY_UNREACHABLE =
  'The gateway cannot be reached: it may be stopped or restarting, or the network is down. Check that it runs, then retry.';

/**
 * What a write that got no answer says: the page keeps what was typed (loading it again would lose
 * it), and the write may or may not have reached the gateway.
 */
export const GATEWAY_UNREACHABLE_WRITE =
  'The gateway cannot be reached: it may be stopped or restarting, or the network is down. The change may not have been made; what you entered is kept here: try again once the gateway runs.';

/** True for an {@link ApiError} of a call that got no answer (status 0): retrying may help. */
export function isUnreachable(error: unknown): boolean {
  return error instanceof ApiError && error.status === 0;
}

let csrfToken: string | null = null;
let onSignedOut: () => void = () => undefined;

/** Remembers the session's CSRF token (sent with every write) and who to tell when the session ends. */
export function setSession(token: string | null, signedOut?: () => void): void {
  csrfToken = token;
  if (signedOut) onSignedOut = signedOut;
}

/** The console's API base: the gateway's own `/console/api` (no other host is ever called). */
export const API_BASE = '/console/api';

/**
 * Calls the console API: same origin, the session cookie sent by the browser, the CSRF token on every
 * write. A 401 means the session ended (signed out, expired, or its key revoked).
 */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers['x-pk-csrf'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`${API_BASE}${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  } catch {
    // The browser says only "Failed to fetch": no answer came at all.
    throw new ApiError(
      0,
      method === 'GET' ? GATEWAY_UNREACHABLE : GATEWAY_UNREACHABLE_WRITE,
      null,
      null,
      method,
    );
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    body = text;
  }
  if (!response.ok) {
    const error = (body as { error?: { message?: string; code?: string; param?: string } } | null)?.error;
    if (response.status === 401 && path !== '/session') onSignedOut();
    throw new ApiError(
      response.status,
      error?.message ?? `HTTP ${response.status}`,
      error?.code ?? null,
      error?.param ?? null,
    );
  }
  return body as T;
}

/** Builds a query string from the pairs that have a value. */
export function queryString(params: Iterable<readonly [string, string]>): string {
  const search = new URLSearchParams();
  for (const [name, value] of params) if (value !== '') search.append(name, value);
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
