import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The built gateway, started as users start it (`node dist/server.js`), on a free port of 127.0.0.1. */
export interface GatewayProcess {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Everything the gateway wrote to stdout and stderr so far (one JSON log line per request). */
  output(): string;
  /** Stops it (SIGTERM) and waits for the exit. */
  stop(): Promise<void>;
}

const gatewayPackageJson = createRequire(import.meta.url).resolve('@pk/gateway/package.json');

/** `apps/gateway/dist/server.js`, found through the workspace dependency on `@pk/gateway`. */
function serverEntry(): string {
  return join(dirname(gatewayPackageJson), 'dist', 'server.js');
}

/** The node flags of the gateway's `pnpm start` (its start script), so examples run it as users do. */
function startFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(gatewayPackageJson, 'utf8')) as { scripts: { start: string } };
  return scripts.start.split(' ').filter((word) => word.startsWith('--'));
}

/**
 * Starts the built gateway (run `pnpm build` first; `pnpm test` does) with embedded defaults and
 * waits for its "listening" log line. The environment is only `PATH`, `PORT=0` and `env`.
 */
export async function startGateway(env: Record<string, string> = {}): Promise<GatewayProcess> {
  const child: ChildProcess = spawn(process.execPath, [...startFlags(), serverEntry()], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer): void => {
    output += chunk.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = once(child, 'exit');
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway did not start:\n${output}`)), 10_000);
    const check = (): void => {
      const match = /pk gateway listening on (http:\/\/[^"\s]+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited before listening:\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
