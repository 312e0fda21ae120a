import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { ownChild } from '../server-process.js';

/** A Redis server a test started of its own (to stop it mid-run), on 127.0.0.1. */
export interface RedisServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
}

/** Whether a `redis-server` binary is on the PATH. */
export function hasRedisServerBinary(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

/** A free 127.0.0.1 port (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * Starts `redis-server` without persistence on a free port (or `port`) and waits, at most
 * `timeoutMs`, for it to accept connections. The process is registered for cleanup as soon as it is
 * spawned, as the gateways of `server-process.ts` are: a start whose `beforeAll` timed out, or a test
 * that failed before it stopped its server, leaves no Redis running after the test file.
 */
export async function startRedisServer(
  options: {
    readonly port?: number;
    readonly env?: Record<string, string>;
    readonly timeoutMs?: number;
  } = {},
): Promise<RedisServerProcess> {
  const port = options.port ?? (await freePort());
  const child = ownChild(
    spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        env: { PATH: process.env.PATH ?? '', ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    ),
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const timeoutMs = options.timeoutMs ?? 5000;
  const deadline = Date.now() + timeoutMs;
  while (!output.includes('Ready to accept connections')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `redis-server did not start on port ${port} within ${timeoutMs} ms: ${output.slice(-500)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { child, port, url: `redis://127.0.0.1:${port}` };
}
