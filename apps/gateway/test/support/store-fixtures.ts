import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateMasterKey, type openStore } from '@pk/store';
import { createTcpProxy, createTemporaryDatabase, type TcpProxy } from '@pk/store/testing';

/** A fresh data directory for a gateway's SQLite store; `remove()` deletes it. */
export function temporaryDataDir(): { readonly path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'pk-gateway-store-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Where a gateway started by a test keeps its data on one engine, and how the test reaches it. */
export interface EngineSetup {
  /** The gateway's variables. */
  readonly env: Record<string, string>;
  /** What `openStore` needs to reach the same data from the test (as `pk init` would). */
  readonly storeOptions: Parameters<typeof openStore>[0];
  /** The database behind a TCP proxy the test can cut (PostgreSQL with `proxy`). */
  readonly proxy?: TcpProxy;
  cleanup(): Promise<void>;
}

/**
 * A store of its own for a gateway process: a SQLite data directory, or a PostgreSQL database of its
 * own (dropped by `cleanup`) with a master key, reached through a TCP proxy when `proxy` is asked.
 */
export async function setUpEngine(
  engine: 'sqlite' | 'postgres',
  options: { readonly proxy?: boolean } = {},
): Promise<EngineSetup> {
  if (engine === 'sqlite') {
    const dataDir = temporaryDataDir();
    return {
      env: { PK_DATA_DIR: dataDir.path },
      storeOptions: { dataDir: dataDir.path },
      cleanup: async () => dataDir.remove(),
    };
  }
  const database = await createTemporaryDatabase();
  const proxy = options.proxy ? await createTcpProxy('127.0.0.1', 5432) : undefined;
  const url = new URL(database.url);
  if (proxy) url.port = String(proxy.port);
  const masterKey = generateMasterKey();
  return {
    env: { PK_DATABASE_URL: url.toString(), PK_MASTER_KEY: 'env:PK_TEST_MASTER', PK_TEST_MASTER: masterKey },
    storeOptions: { databaseUrl: database.url, masterKey },
    ...(proxy ? { proxy } : {}),
    cleanup: async () => {
      await proxy?.close();
      await database.drop();
    },
  };
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
