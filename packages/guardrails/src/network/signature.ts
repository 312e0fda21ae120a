const encoder = new TextEncoder();

/**
 * The signature pk puts on webhook and log calls when the guardrail has a `secret`:
 * `x-pk-timestamp: <unix seconds>` and `x-pk-signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`.
 * A receiver recomputes the HMAC over the raw body it got and refuses old timestamps (replays).
 */
export async function signatureHeaders(
  secret: string,
  body: string,
  nowMs: number,
): Promise<Record<'x-pk-timestamp' | 'x-pk-signature', string>> {
  const timestamp = String(Math.floor(nowMs / 1000));
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(`${timestamp}.${body}`)));
  let hex = '';
  for (const byte of mac) hex += byte.toString(16).padStart(2, '0');
  return { 'x-pk-timestamp': timestamp, 'x-pk-signature': `sha256=${hex}` };
}
