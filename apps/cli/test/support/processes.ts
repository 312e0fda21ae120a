import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The built CLI, as users run it. */
const CLI_ENTRY = new URL('../../dist/main.js', import.meta.url).pathname;
/** The built gateway of the workspace (a dev-only dependency, built before these tests). */
const GATEWAY_ENTRY = join(
  dirname(createRequire(import.meta.url).resolve('@pk/gateway/package.json')),
  'dist/server.js',
);

/** What a `pk` run printed and exited with. */
export interface PkRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A `pk` run under way: what it printed so far, a signal to send it, and how it ended. */
export interface PkProcess {
  stdout(): string;
  stderr(): string;
  kill(signal: NodeJS.Signals): void;
  readonly exited: Promise<PkRun>;
}

/**
 * Starts the built `pk` with `args` and only the given environment (plus PATH); `stdin` is piped in.
 * `closedStdout`: its stdout is closed at once, as by a reader that stopped (`pk … | head -1`).
 */
export function startPk(
  args: readonly string[],
  env: Record<string, string>,
  stdin?: string,
  options: { readonly closedStdout?: boolean } = {},
): PkProcess {
  const child = spawn(process.execPath, [CLI_ENTRY, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (options.closedStdout) child.stdout.destroy();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin.end(stdin ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  // 'close': exited, and everything it printed has been read.
  const exited = (once(child, 'close') as Promise<[number | null]>).then(([code]) => {
    clearTimeout(timer);
    return { code, stdout, stderr };
  });
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    kill: (signal) => child.kill(signal),
    exited,
  };
}

/** Runs the built `pk` with `args` and only the given environment (plus PATH); `stdin` is piped in. */
export async function runPk(
  args: readonly string[],
  env: Record<string, string>,
  stdin?: string,
): Promise<PkRun> {
  return startPk(args, env, stdin).exited;
}

/** `value` as one word of a POSIX shell command line. */
const shellWord = (value: string): string => `'${value.replaceAll("'", "'\\''")}'`;

/**
 * Runs the built `pk` at a terminal (a pseudo-terminal made by util-linux's `script`), as a user
 * typing at a prompt: `typed` is sent once pk's output contains `prompt` (what the terminal shows
 * while it waits), followed by Enter. `output` is everything the terminal showed: pk's stdout and
 * stderr, and whatever the terminal echoed of what was typed.
 */
export async function runPkAtTerminal(
  args: readonly string[],
  env: Record<string, string>,
  prompt: string,
  typed: string,
): Promise<{ readonly code: number | null; readonly output: string }> {
  const command = [process.execPath, CLI_ENTRY, ...args].map(shellWord).join(' ');
  const child = spawn('script', ['-qefc', command, '/dev/null'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let sent = false;
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (!sent && output.includes(prompt)) {
      sent = true;
      child.stdin.write(`${typed}\r`);
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code, output };
}

/** A gateway started as users start it. */
export interface GatewayProcess {
  readonly url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the built gateway on a free port with the given environment; waits until it listens. Its
 * request records are written every 50 ms (`PK_LOG_STORE_FLUSH_MS`), so the logs a test waits for come soon.
 */
export async function startGateway(env: Record<string, string>): Promise<GatewayProcess> {
  const child: ChildProcess = spawn(process.execPath, [GATEWAY_ENTRY], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      PK_LOG_FLUSH_MS: '0',
      PK_LOG_STORE_FLUSH_MS: '50',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  // 'close': exited, and everything it wrote has been read (an 'exit' can come before its last lines).
  const exited = once(child, 'close');
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway did not start:\n${output}`)), 15_000);
    child.stdout?.on('data', () => {
      const match = /pk gateway listening on (http:\/\/[^"\s]+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited before listening:\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
