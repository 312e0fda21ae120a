// node bench/memory-probe.mjs [--seconds N] [--connections N] [--stream] [--only pk|bare] [--rounds N]:
// issue 15's two memory figures without the whole bench. Starts the mock upstream, the bare proxy and
// the built gateway (as `pnpm start` runs it: embedded defaults, SQLite in a fresh PK_DATA_DIR), reads
// each one's RSS 1 s after start (before any request), then saturates each in turn (2 s warm-up, then
// N s, default 8, at 50 connections) and prints its peak RSS (VmHWM) and CPU µs per request.
// Env: PK_PROBE_NODE_FLAGS (pk's node flags, default those of `pnpm start`), PK_PROBE_ENV (extra
// `NAME=value,NAME=value` for pk), PK_PROBE_BARE_FLAGS (the bare proxy's node flags, default none),
// PK_PROBE_OUTPUT and PK_PROBE_BARE_OUTPUT (files for pk's and the bare proxy's output, e.g. with
// --trace-gc in the flags).
import { execSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuMs, PK_NODE_FLAGS, peakRssMiB, rssMiB, saturateChat, startProcess } from './processes.mjs';

const argument = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : process.argv[index + 1];
};
const seconds = Number(argument('seconds', 8));
const connections = Number(argument('connections', 50));
const rounds = Number(argument('rounds', 1));
const streamed = process.argv.includes('--stream');
const only = argument('only', undefined);
const here = new URL('.', import.meta.url).pathname;
const flags = (value) => (value ?? '').split(' ').filter(Boolean);
const pkFlags =
  process.env.PK_PROBE_NODE_FLAGS === undefined ? PK_NODE_FLAGS : flags(process.env.PK_PROBE_NODE_FLAGS);
const bareFlags = flags(process.env.PK_PROBE_BARE_FLAGS);
const extraEnv = Object.fromEntries(
  (process.env.PK_PROBE_ENV ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);

const dataDir = mkdtempSync(join(tmpdir(), 'pk-probe-data-'));
const children = [];
const cleanup = () => {
  for (const child of children) child.child.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
};
process.on('exit', cleanup);

const upstream = await startProcess(`${here}mock-openai-upstream.mjs`, [], {}, /listening on (http:\/\/\S+)/);
children.push(upstream);
const targets = [];
/** Keeps a started process for the measurements (and, when `outputFile` is set, its output there). */
function watch(name, started, outputFile) {
  children.push(started);
  targets.push({ name, process: started });
  if (outputFile) {
    const file = createWriteStream(outputFile);
    started.child.stdout.pipe(file);
    started.child.stderr.pipe(file);
  }
}

if (only !== 'pk') {
  const bare = await startProcess(`${here}bare-proxy.mjs`, [], { PORT: '0' }, /listening on (http:\/\/\S+)/, {
    cwd: here,
    nodeFlags: bareFlags,
  });
  watch('bare', bare, process.env.PK_PROBE_BARE_OUTPUT);
}
if (only !== 'bare') {
  const pk = await startProcess(
    `${here}../dist/server.js`,
    [],
    { PORT: '0', PK_LOG_LEVEL: 'info', PK_DATA_DIR: dataDir, ...extraEnv },
    /pk gateway listening on (http:\/\/[^"\s]+)/,
    { nodeFlags: pkFlags },
  );
  // PK_PROBE_OUTPUT: a file that receives pk's stdout and stderr (e.g. with --trace-gc in the flags).
  watch('pk', pk, process.env.PK_PROBE_OUTPUT);
}
await sleep(1000);
const idle = Object.fromEntries(targets.map((target) => [target.name, rssMiB(target.process.child.pid)]));

const run = (target, duration) =>
  saturateChat({
    gatewayUrl: target.process.url,
    upstreamUrl: upstream.url,
    connections,
    duration,
    streamed,
  });

const results = {};
for (let round = 0; round < rounds; round += 1) {
  for (const target of targets) {
    if (round === 0) await run(target, 2);
    const pid = target.process.child.pid;
    const before = cpuMs(pid);
    const result = await run(target, seconds);
    const cpu = ((cpuMs(pid) - before) * 1000) / result.requests.total;
    results[target.name] ??= { cpu: [], rps: [], total: 0 };
    results[target.name].total += result.requests.total;
    results[target.name].cpu.push(cpu);
    results[target.name].rps.push(result.requests.average);
    if (result.non2xx > 0 || result.errors > 0)
      process.stdout.write(`${target.name}: ${result.non2xx} non-2xx, ${result.errors} errors\n`);
  }
}
for (const target of targets) {
  const pid = target.process.child.pid;
  const { cpu, rps } = results[target.name];
  process.stdout.write(
    `${target.name.padEnd(4)} idle ${idle[target.name].toFixed(1)} MiB, peak ${peakRssMiB(pid).toFixed(1)} MiB, now ${rssMiB(pid).toFixed(1)} MiB, ` +
      `${cpu.map((value) => value.toFixed(0)).join('/')} µs CPU per request, ${rps.map((value) => value.toFixed(0)).join('/')} req/s, ${results[target.name].total} requests\n`,
  );
}
// PK_PROBE_AFTER: a shell command run after the load, `{pid}` replaced by pk's pid (e.g. a look at
// /proc/{pid}/smaps).
if (process.env.PK_PROBE_AFTER && results.pk) {
  const pid = targets.find((target) => target.name === 'pk').process.child.pid;
  process.stdout.write(execSync(process.env.PK_PROBE_AFTER.replaceAll('{pid}', String(pid))).toString());
}
if (results.pk && results.bare)
  process.stdout.write(
    `peak ratio pk/bare: ${(peakRssMiB(targets[1].process.child.pid) / peakRssMiB(targets[0].process.child.pid)).toFixed(2)}\n`,
  );
// The gateways' last output (their log lines) reaches the output files before this process ends.
await Promise.all(
  targets.map((target) => {
    const exited = new Promise((resolve) => target.process.child.once('exit', resolve));
    target.process.child.kill('SIGTERM');
    return exited;
  }),
);
cleanup();
process.exit(0);
