// What the timing scripts (analytics-timing, console-logs-timing) share: the Chromium to drive and
// the BUILT gateway started on the store they seeded, as the bench starts it (bench/processes.mjs).
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { startProcess } from '../bench/processes.mjs';

/** PK_CHROMIUM_PATH, or the first Chromium on the PATH. */
export function findChromium() {
  if (process.env.PK_CHROMIUM_PATH) return process.env.PK_CHROMIUM_PATH;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {}
    }
  }
  throw new Error('no Chromium: install Debian’s chromium package or set PK_CHROMIUM_PATH');
}

/**
 * Starts the built gateway on a SQLite `dataDir`, or on `databaseUrl` with its `masterKey`, on a
 * free port; its output is kept until it listens. Resolves to `{ child, url }`.
 * @param {{ dataDir?: string, databaseUrl?: string, masterKey?: string, timeoutMs: number }} store
 */
export function startGatewayOn({ dataDir, databaseUrl, masterKey, timeoutMs }) {
  const env = {
    PATH: process.env.PATH ?? '',
    PORT: '0',
    ...(dataDir ? { PK_DATA_DIR: dataDir } : { PK_DATABASE_URL: databaseUrl, PK_MASTER_KEY: masterKey }),
  };
  return startProcess(
    new URL('../dist/server.js', import.meta.url).pathname,
    [],
    env,
    /pk gateway listening on (http:\/\/[^"\s]+)/,
    { timeoutMs },
  );
}
