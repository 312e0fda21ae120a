import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh data directory for a gateway's SQLite store; `remove()` deletes it. */
export function temporaryDataDir(): { readonly path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'pk-gateway-store-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Polls `check` every 20 ms until it holds and returns how long that took (ms), or throws after
 * `timeoutMs`. Used to measure how soon a change reaches a running gateway.
 */
export async function msUntil(check: () => Promise<boolean>, timeoutMs = 5000): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A chat request through a gateway with a gateway key; returns the status and the parsed body. */
export async function chat(
  url: string,
  key: string | undefined,
  headers: Record<string, string> = {},
  model = 'gpt-4o-mini',
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key === undefined ? {} : { 'x-portkey-api-key': key }),
      ...headers,
    },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'What is the capital of France?' }] }),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    headers: response.headers,
  };
}
