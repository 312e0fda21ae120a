// Portkey's open-source gateway 1.15.2 from npm, installed on demand outside the workspace (its own
// folder under the OS temp dir), with the versions of @hono/node-server (1.13.5) and hono (4.9.7)
// from its own lockfile: the versions npm resolves today break its streaming.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess } from './processes.mjs';

const VERSION = '1.15.2';

/** Installs Portkey's gateway if needed and returns the path of its start script. */
export function ensurePortkeyGateway(log) {
  const folder = join(tmpdir(), `pk-bench-portkey-gateway-${VERSION}`);
  const script = join(folder, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
  if (existsSync(script)) return script;
  log(`installing @portkey-ai/gateway@${VERSION} into ${folder} (once)…`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    join(folder, 'package.json'),
    JSON.stringify({
      private: true,
      dependencies: { '@portkey-ai/gateway': VERSION, '@hono/node-server': '1.13.5', hono: '4.9.7' },
      overrides: { '@hono/node-server': '1.13.5', hono: '4.9.7' },
    }),
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: folder,
    stdio: 'inherit',
  });
  return script;
}

/** Starts Portkey's gateway on `port`. */
export function startPortkeyGateway(script, port) {
  return startProcess(
    script,
    [`--port=${port}`, '--headless'],
    { NODE_ENV: 'production' },
    /Ready for connections/,
    {
      url: `http://127.0.0.1:${port}`,
    },
  );
}
