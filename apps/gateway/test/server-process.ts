import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { PK_NODE_FLAGS, startScriptNodeFlags } from '../bench/start-flags.mjs';
import {
  type CollectedOutputLines,
  createOutputLines,
  type OutputLines,
  textLine,
} from './support/output-lines.js';

/**
 * A gateway started as users start it: `node dist/server.js`, on a free port. Its log lines reach
 * the test in batches and after its answers: wait for one with `waitForLine`, never read `output()`
 * right after an answer.
 */
export interface GatewayProcess
  extends Pick<OutputLines, 'lines' | 'lineCount' | 'waitForLine' | 'waitForLines'> {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything written to stdout and stderr so far (all of it once `exited` resolved). */
  output(): string;
  /** Resolves with the exit code once the process exited and its output was all read. */
  exited: Promise<number | null>;
}

const serverEntry = new URL('../dist/server.js', import.meta.url).pathname;

/**
 * The gateway processes this test process started that have not exited, one set per process (shared
 * by every copy of this module). A start whose `beforeAll` timed out resolves after the hook gave up,
 * and a test that failed before its `afterAll` never stops its gateway: without this, such a
 * gateway outlived the test run, holding its port, its data directory and a core.
 */
const LIVE_CHILDREN = Symbol.for('pk.test.liveGatewayProcesses');
/**
 * Data directories of gateways whose exit was not reported yet, one set per process too: removed when
 * the gateway exits, or when the test process exits or is ended by a signal (then no `exit` event runs).
 */
const PENDING_DATA_DIRS = Symbol.for('pk.test.pendingGatewayDataDirs');
const shared = globalThis as {
  [LIVE_CHILDREN]?: Set<ChildProcess>;
  [PENDING_DATA_DIRS]?: Set<string>;
};
shared[PENDING_DATA_DIRS] ??= new Set<string>();
const pendingDataDirs: Set<string> = shared[PENDING_DATA_DIRS];
shared[LIVE_CHILDREN] ??= createLiveChildren();
const liveChildren: Set<ChildProcess> = shared[LIVE_CHILDREN];

function killEvery(children: Set<ChildProcess>): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

function removePendingDataDirs(): void {
  for (const dataDir of pendingDataDirs) rmSync(dataDir, { recursive: true, force: true });
  pendingDataDirs.clear();
}

function createLiveChildren(): Set<ChildProcess> {
  const children = new Set<ChildProcess>();
  // The test process exits (vitest ends a worker with SIGTERM, then SIGKILL, which nothing can
  // catch): the children go first, then their data directories (a signal runs no `exit` listener),
  // then the signal does what it would have done.
  process.once('exit', () => {
    killEvery(children);
    removePendingDataDirs();
  });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killEvery(children);
      removePendingDataDirs();
      process.kill(process.pid, signal);
    });
  }
  return children;
}

/**
 * Kills every gateway process still running and waits (at most 5 s) until they exited, so their data
 * directories are removed before the test file ends (a test file's last hook).
 */
export async function killLiveGatewayProcesses(): Promise<void> {
  const exits = [...liveChildren]
    .filter((child) => child.exitCode === null && child.signalCode === null)
    .map((child) => once(child, 'exit'));
  killEvery(liveChildren);
  await Promise.race([Promise.all(exits), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
}

/**
 * Registers `child`, as soon as it is spawned, to be killed if it is still running when the tests end
 * (the test file's last hook, or the test process's exit): gateways, and the Redis servers tests
 * start of their own (`support/redis-server.ts`).
 */
export function ownChild(child: ChildProcess): ChildProcess {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  return child;
}

// Every test file that starts gateways kills, after its own hooks, those still running.
afterAll(killLiveGatewayProcesses);
/** The V8 flags `pnpm start` runs the gateway with (its start script; see the gateway README, "Memory"). */
export const SERVER_NODE_FLAGS: readonly string[] = PK_NODE_FLAGS;
export { startScriptNodeFlags };

/**
 * The environment of a gateway process: a port of its own and, unless `env` names one, a fresh data
 * directory (its SQLite store) removed when the process exits, so tests never share a store by chance.
 */
function processEnvironment(env: Record<string, string>): {
  env: Record<string, string>;
  cleanup: () => void;
} {
  if (env.PK_DATA_DIR !== undefined || env.PK_DATABASE_URL !== undefined) {
    return { env: { PATH: process.env.PATH ?? '', PORT: '0', ...env }, cleanup: () => undefined };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'pk-gateway-data-'));
  pendingDataDirs.add(dataDir);
  const cleanup = (): void => {
    pendingDataDirs.delete(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { env: { PATH: process.env.PATH ?? '', PORT: '0', PK_DATA_DIR: dataDir, ...env }, cleanup };
}

/** How long {@link startGateway} waits for the "listening" line by default. */
export const START_TIMEOUT_MS = 30_000;

/**
 * Starts the built gateway and waits for its "listening" log line, at most `timeoutMs`
 * ({@link START_TIMEOUT_MS}); a gateway that does not start in time is killed, and one still running
 * when the test file ends (its `afterAll` not reached, its `beforeAll` timed out) or when the test
 * process exits is killed then.
 */
export async function startGateway(
  env: Record<string, string> = {},
  args: string[] = [],
  /** More `node` flags after the start script's (e.g. `--import` of a probe). */
  nodeFlags: readonly string[] = [],
  options: { readonly timeoutMs?: number } = {},
): Promise<GatewayProcess> {
  const environment = processEnvironment(env);
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...nodeFlags, serverEntry, ...args], {
    env: environment.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  ownChild(child);
  child.once('exit', environment.cleanup);
  const output = collectOutput(child);
  const exited = closed(child, output);
  const timeoutMs = options.timeoutMs ?? START_TIMEOUT_MS;
  await output
    .waitForLine(textLine(/pk gateway listening on http:\/\//), {
      timeoutMs,
      description: 'the "pk gateway listening on …" line',
    })
    .catch((error: unknown) => {
      child.kill('SIGKILL');
      const exitedFirst = child.exitCode !== null || child.signalCode !== null;
      throw new Error(
        `${exitedFirst ? 'gateway exited before listening' : `gateway did not start in ${timeoutMs} ms`}: ${(error as Error).message}`,
      );
    });
  const url = /pk gateway listening on (http:\/\/[^"\s]+)/.exec(output.text())?.[1] as string;
  return {
    child,
    url,
    output: output.text,
    lines: output.lines,
    lineCount: output.lineCount,
    waitForLine: output.waitForLine,
    waitForLines: output.waitForLines,
    exited,
  };
}

/** Reads the child's stdout and stderr into lines. */
function collectOutput(child: ChildProcess): CollectedOutputLines {
  const output = createOutputLines();
  if (child.stdout) output.read(child.stdout);
  if (child.stderr) output.read(child.stderr);
  return output;
}

/**
 * Resolves with the exit code once the child exited and its stdout and stderr were read to the end
 * (`close`: an `exit` can come before the last chunks of its output); waits still pending then fail.
 */
async function closed(child: ChildProcess, output: CollectedOutputLines): Promise<number | null> {
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  output.end(`the gateway exited (${signal ?? `code ${code}`})`);
  return code;
}

/** Runs the built gateway expecting it to refuse to start; returns its exit code and output. */
export async function runGatewayExpectingExit(
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number | null; output: string }> {
  const environment = processEnvironment(env);
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, serverEntry, ...args], {
    env: environment.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  ownChild(child);
  child.once('exit', environment.cleanup);
  const output = collectOutput(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await closed(child, output);
  clearTimeout(timer);
  return { code, output: output.text() };
}
