import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
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

/** `apps/gateway/dist/server.js`, found through the workspace dependency on `@pk/gateway`. */
function serverEntry(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@pk/gateway/package.json')), 'dist', 'server.js');
}

/**
 * Starts the built gateway (run `pnpm build` first; `pnpm test` does) with embedded defaults and
 * waits for its "listening" log line. The environment is only `PATH`, `PORT=0` and `env`.
 */
export async function startGateway(env: Record<string, string> = {}): Promise<GatewayProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--max-semi-space-size=8',
      '--heap-growing-percent=50',
      '--single-threaded-gc',
      '--v8-pool-size=1',
      serverEntry(),
    ],
    {
      env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
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
