import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { startGateway } from './server-process.js';

/** Ids of the processes whose environment carries `GATEWAY_TEST_MARK=<mark>`. */
function markedProcesses(mark: string): number[] {
  const needle = `GATEWAY_TEST_MARK=${mark}\0`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(needle)) found.push(Number(entry));
    } catch {
      // Gone already, or another user's.
    }
  }
  return found;
}

/** Waits until no process carries the mark; kills (and reports) those that still do after 3 s. */
async function leftBehind(mark: string): Promise<number[]> {
  try {
    await vi.waitFor(() => expect(markedProcesses(mark)).toEqual([]), { timeout: 3000, interval: 50 });
    return [];
  } catch {
    const leaked = markedProcesses(mark);
    for (const pid of leaked) process.kill(pid, 'SIGKILL');
    return leaked;
  }
}

/** Ids of the redis-server processes listening on one of `ports` (their title names the port). */
function redisServersOn(ports: readonly string[]): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, 'latin1');
      if (title.startsWith('redis-server') && ports.some((port) => title.includes(`:${port}`)))
        found.push(Number(entry));
    } catch {
      // Gone already, or another user's.
    }
  }
  return found;
}

const vitestEntry = join(
  dirname(createRequire(import.meta.url).resolve('vitest/package.json')),
  'vitest.mjs',
);
const fixtureConfig = new URL('./__fixtures__/leaky-hooks/vitest.config.ts', import.meta.url).pathname;

describe.runIf(process.platform === 'linux')('the test helpers’ gateway processes', () => {
  it('a start that times out kills its gateway', async () => {
    const mark = randomUUID();
    await expect(startGateway({ GATEWAY_TEST_MARK: mark }, [], [], { timeoutMs: 50 })).rejects.toThrow(
      'gateway did not start',
    );
    expect(await leftBehind(mark)).toEqual([]);
  });

  it('a test file whose beforeAll timed out, or that never stopped its gateway or Redis server, leaves none of them running', async () => {
    const mark = randomUUID();
    const portsFile = join(tmpdir(), `pk-lost-redis-${mark}`);
    const run = spawn(process.execPath, [vitestEntry, 'run', '--config', fixtureConfig], {
      env: {
        ...process.env,
        CI: '',
        GATEWAY_TEST_FIXTURE_MARK: mark,
        GATEWAY_TEST_FIXTURE_REDIS_PORTS: portsFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    run.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    run.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const [code] = await once(run, 'exit');
    // The fixture's two hooks timed out (2 failed suites) and its other tests started a gateway and
    // a redis-server (2 passed).
    expect(output).toMatch(/Hook timed out in 50ms/);
    expect(output).toMatch(/Hook timed out in 500ms/);
    expect(output).toMatch(/Failed Suites 2/);
    expect(output).toMatch(/Tests .*2 passed/);
    expect(code).toBe(1);
    expect(await leftBehind(mark)).toEqual([]);
    const ports = readFileSync(portsFile, 'utf8').trim().split('\n');
    rmSync(portsFile, { force: true });
    expect(ports).toHaveLength(2);
    const redisLeft = redisServersOn(ports);
    for (const pid of redisLeft) process.kill(pid, 'SIGKILL');
    expect(redisLeft).toEqual([]);
  }, 60_000);
});
