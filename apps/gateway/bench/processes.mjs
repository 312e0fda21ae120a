// Child processes for the benchmark: start one, wait for its ready line, read its CPU time and peak RSS.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { PK_NODE_FLAGS } from './start-flags.mjs';

/** The V8 flags `pnpm start` runs the gateway with (`start-flags.mjs`). */
export { PK_NODE_FLAGS };

/** The bench's simple-cache config as a header: with it, every request after the first is a hit. */
export const SIMPLE_CACHE_HEADERS = Object.freeze({
  'x-portkey-config': JSON.stringify({ cache: { mode: 'simple', max_age: 3600 } }),
});

/**
 * Starts `node <script> …args` and resolves `{ child, url }` once `readyPattern` matches its output.
 * `options.launcher` runs node under another program (e.g. `['valgrind', '--tool=callgrind']`);
 * `options.timeoutMs` is how long to wait for the ready line (30 s).
 */
export function startProcess(script, args, env, readyPattern, options = {}) {
  const [command, ...launcherArgs] = [...(options.launcher ?? []), process.execPath];
  const child = spawn(command, [...launcherArgs, ...(options.nodeFlags ?? []), script, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: options.cwd,
  });
  let output = '';
  let ready = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${script} did not start:\n${output}`));
    }, options.timeoutMs ?? 30_000);
    const onData = (data) => {
      // Once started, the output is only drained: scanning the gateway's log lines here would cost
      // the load generator (this process) time in the middle of a measurement.
      if (ready) return;
      output += data.toString();
      if (output.length > 100_000) output = output.slice(-50_000);
      const match = readyPattern.exec(output);
      if (match) {
        ready = true;
        clearTimeout(timer);
        resolve({ child, url: match[1] ?? options.url });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited ${code}:\n${output}`));
    });
  });
}

/** CPU time (user + system) of a process in ms, from /proc (USER_HZ = 100). */
export function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Peak resident set size of a process in MiB (VmHWM). */
export function peakRssMiB(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmHWM:'));
  return line ? Number(line.replace(/\D+/g, '')) / 1024 : Number.NaN;
}

/** Resident set size of a process now, in MiB (VmRSS). */
export function rssMiB(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmRSS:'));
  return line ? Number(line.replace(/\D+/g, '')) / 1024 : Number.NaN;
}

/** autocannon's `setupRequest`: a random trace id and `_user` (one of 10,000) on the request. */
function withRandomKeys(request) {
  request.headers = {
    ...request.headers,
    'x-portkey-trace-id': randomUUID(),
    'x-portkey-metadata': `{"_user":"user-${Math.floor(Math.random() * 10_000)}"}`,
  };
  return request;
}

/**
 * The bench's chat request (OpenAI's wire format, `stream` when asked) at `connections` for `duration`
 * seconds (or `amount` requests) against `gatewayUrl`, forwarded to the mock upstream at `upstreamUrl`,
 * with `headers` added, and with `randomKeys` a trace id and a `_user` of each request's own (as
 * clients that send their own `x-portkey-trace-id` UUIDs and their users' ids do): autocannon's result.
 */
export function saturateChat({
  gatewayUrl,
  upstreamUrl,
  connections,
  duration,
  amount,
  streamed = false,
  headers = {},
  randomKeys = false,
}) {
  return autocannon({
    ...(randomKeys ? { requests: [{ setupRequest: withRandomKeys }] } : {}),
    url: `${gatewayUrl}/v1/chat/completions`,
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-portkey-provider': 'openai',
      authorization: 'Bearer sk-bench',
      'x-portkey-custom-host': `${upstreamUrl}/v1`,
      ...headers,
    },
    body: JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
      ...(streamed ? { stream: true } : {}),
    }),
    connections,
    ...(amount === undefined ? { duration } : { amount }),
  });
}

/**
 * The mock upstream and, in front of it, the built gateway (with `pnpm start`'s flags, its data in
 * `dataDir`) or the bare proxy, each with extra node flags and environment. `load(seconds)` saturates
 * it with the bench's chat request (streamed, or with the simple-cache config, as asked).
 */
export async function startUnderLoad({
  bare = false,
  nodeFlags = [],
  env = {},
  dataDir,
  connections = 50,
  streamed = false,
  cacheHit = false,
}) {
  const bench = new URL('.', import.meta.url).pathname;
  const upstream = await startProcess(
    `${bench}mock-openai-upstream.mjs`,
    [],
    {},
    /listening on (http:\/\/\S+)/,
  );
  const gateway = bare
    ? await startProcess(`${bench}bare-proxy.mjs`, [], { PORT: '0', ...env }, /listening on (http:\/\/\S+)/, {
        nodeFlags,
      })
    : await startProcess(
        `${bench}../dist/server.js`,
        [],
        { PORT: '0', PK_DATA_DIR: dataDir, ...env },
        /pk gateway listening on (http:\/\/[^"\s]+)/,
        { nodeFlags: [...PK_NODE_FLAGS, ...nodeFlags] },
      );
  const load = (duration) =>
    saturateChat({
      gatewayUrl: gateway.url,
      upstreamUrl: upstream.url,
      connections,
      duration,
      streamed,
      headers: cacheHit ? SIMPLE_CACHE_HEADERS : {},
    });
  return { upstream, gateway, load };
}

/**
 * The load options of a probe's command line: `--seconds N` (default `seconds`), `--connections N`
 * (50), `--stream`, `--cache-hit`, `--bare`.
 */
export function loadOptionsFromArgv(argv, { seconds }) {
  const number = (name, fallback) => {
    const index = argv.indexOf(`--${name}`);
    return index === -1 ? fallback : Number(argv[index + 1]);
  };
  return {
    seconds: number('seconds', seconds),
    connections: number('connections', 50),
    streamed: argv.includes('--stream'),
    cacheHit: argv.includes('--cache-hit'),
    bare: argv.includes('--bare'),
  };
}
