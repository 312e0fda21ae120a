// node bench/p99-probe.mjs [--bare] [--rounds N] [--env NAME=value,...]: what the slowest requests at a paced 500 req/s
// coincide with. Starts the mock upstream and the built gateway (as `pnpm start` runs it; `--bare`:
// the bench's bare proxy), then per round: 5 s of saturation at 50 connections (as the bench runs
// before its paced rows), then 2,500 requests at 500 req/s, each timed on its own. Prints p50, p99,
// p99 without the first 200 ms, and how many of the 25 slowest overlap one of the gateway's garbage
// collections (from `perf_hooks`, through `gc-observer.mjs`), with the collections of the round.
// `--env` adds variables to the gateway's environment (`--env PK_LOG_STORE=off`: without the log store).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pacedLoad, quantile } from './paced-load.mjs';
import { PK_NODE_FLAGS, saturateChat, startProcess } from './processes.mjs';

const here = new URL('.', import.meta.url).pathname;
const argument = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : process.argv[index + 1];
};
const bare = process.argv.includes('--bare');
const rounds = Number(argument('rounds', 3));
const extraEnv = Object.fromEntries(
  argument('env', '')
    .split(',')
    .filter(Boolean)
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);
const observe = ['--import', `${here}gc-observer.mjs`];

const dataDir = mkdtempSync(join(tmpdir(), 'pk-p99-data-'));
const upstream = await startProcess(`${here}mock-openai-upstream.mjs`, [], {}, /listening on (http:\/\/\S+)/);
const target = bare
  ? await startProcess(`${here}bare-proxy.mjs`, [], { PORT: '0' }, /listening on (http:\/\/\S+)/, {
      cwd: here,
      nodeFlags: observe,
    })
  : await startProcess(
      `${here}../dist/server.js`,
      [],
      { PORT: '0', PK_LOG_LEVEL: 'info', PK_DATA_DIR: dataDir, ...extraEnv },
      /pk gateway listening on (http:\/\/[^"\s]+)/,
      { nodeFlags: [...PK_NODE_FLAGS, ...observe] },
    );
const collections = [];
let pending = '';
target.child.stderr.on('data', (data) => {
  pending += data.toString();
  for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n')) {
    const line = pending.slice(0, end);
    pending = pending.slice(end + 1);
    if (!line.startsWith('GCEV ')) continue;
    const [, at, ms, kind] = line.split(' ');
    collections.push({ at: Number(at), ms: Number(ms), kind });
  }
});
const headers = {
  'content-type': 'application/json',
  'x-portkey-provider': 'openai',
  authorization: 'Bearer sk-bench',
  'x-portkey-custom-host': `${upstream.url}/v1`,
};
const body = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'What is the capital of France?' }],
});
const overlaps = (request) =>
  collections.some((gc) => gc.at + gc.ms >= request.at - 0.5 && gc.at <= request.at + request.ms + 0.5);

for (let round = 0; round < rounds; round += 1) {
  await saturateChat({ gatewayUrl: target.url, upstreamUrl: upstream.url, connections: 50, duration: 5 });
  collections.length = 0;
  const run = await pacedLoad({
    url: `${target.url}/v1/chat/completions`,
    headers,
    body,
    ratePerSecond: 500,
    count: 2500,
    check: () => true,
  });
  if (run.failures > 0) throw new Error(`${run.failures} requests failed`);
  await sleep(200);
  const firstSent = Math.min(...run.samples.map((sample) => sample.at));
  const later = run.samples
    .filter((sample) => sample.at - firstSent > 200)
    .map((sample) => sample.ms)
    .sort((a, b) => a - b);
  const slowest = [...run.samples].sort((a, b) => a.ms - b.ms).slice(-25);
  const byKind = {};
  for (const gc of collections) {
    byKind[gc.kind] ??= { count: 0, ms: 0 };
    byKind[gc.kind].count += 1;
    byKind[gc.kind].ms += gc.ms;
  }
  const summary = Object.entries(byKind)
    .map(([kind, { count, ms }]) => `${count} ${kind} (mean ${(ms / count).toFixed(2)} ms)`)
    .join(', ');
  process.stdout.write(
    `${bare ? 'bare' : 'pk'} round ${round}: p50 ${quantile(run.latencies, 0.5).toFixed(2)} ms, p99 ${quantile(run.latencies, 0.99).toFixed(2)} ms, ` +
      `p99 after the first 200 ms ${quantile(later, 0.99).toFixed(2)} ms; ${slowest.filter(overlaps).length} of the 25 slowest ` +
      `overlap a collection; collections: ${summary || 'none'}\n`,
  );
}
target.child.kill('SIGTERM');
upstream.child.kill('SIGTERM');
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
