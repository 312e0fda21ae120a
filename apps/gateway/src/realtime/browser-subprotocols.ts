import type { IncomingHttpHeaders } from 'node:http';

/**
 * What OpenAI's browser clients (`OpenAIRealtimeWebSocket`, which cannot set headers) send as
 * WebSocket subprotocols instead: `realtime`, the key as `openai-insecure-api-key.<key>`, and the
 * beta flag as `openai-beta.realtime-v1`.
 */
const KEY_PREFIX = 'openai-insecure-api-key.';
const BETA_PREFIX = 'openai-beta.';

/** The subprotocols a client offered (`Sec-WebSocket-Protocol`, comma-separated tokens). */
export function offeredSubprotocols(headers: IncomingHttpHeaders): string[] {
  const value = headers['sec-websocket-protocol'];
  if (typeof value !== 'string' || value === '') return [];
  return value
    .split(',')
    .map((protocol) => protocol.trim())
    .filter((protocol) => protocol !== '');
}

/**
 * A browser's key and beta flag as the headers other clients send: `Authorization: Bearer <key>`
 * (then a gateway key or a provider key as any `Authorization` is) and `OpenAI-Beta: realtime=v1`,
 * each only when the client sent no such header. Changes `headers` in place, before the request is
 * authenticated; the subprotocols themselves never reach the provider.
 */
export function applyBrowserSubprotocols(headers: IncomingHttpHeaders): void {
  for (const protocol of offeredSubprotocols(headers)) {
    if (protocol.startsWith(KEY_PREFIX) && protocol.length > KEY_PREFIX.length) {
      headers.authorization ??= `Bearer ${protocol.slice(KEY_PREFIX.length)}`;
    } else if (protocol.startsWith(BETA_PREFIX) && protocol.length > BETA_PREFIX.length) {
      // `openai-beta.realtime-v1` is `OpenAI-Beta: realtime=v1`.
      headers['openai-beta'] ??= protocol.slice(BETA_PREFIX.length).replace(/-(?=v\d+$)/, '=');
    }
  }
}

/**
 * The subprotocol pk answers the client's upgrade with: `realtime` when offered (OpenAI's), else the
 * first one offered that carries no credential, else none. A key is never echoed back.
 */
export function chosenSubprotocol(offered: ReadonlySet<string>): string | false {
  if (offered.has('realtime')) return 'realtime';
  for (const protocol of offered) if (!protocol.startsWith(KEY_PREFIX)) return protocol;
  return false;
}
