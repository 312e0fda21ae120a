// pnpm bench: the gateway's hot path, measured against a bare proxy in the same run. Starts a mock
// OpenAI upstream, a bare fastify + undici proxy (bare-proxy.mjs: no parse, no validation, no
// logging), the built pk gateway (as `pnpm start` runs it: embedded defaults, its SQLite store) and
// (unless PK_BENCH_PORTKEY=0) Portkey's open-source gateway 1.15.2, each its own process, and drives
// the same requests straight at the upstream, through the bare proxy, pk and Portkey in alternating
// rounds. Every answer's content is checked (a fast error must not count). It prints one table with
// every figure side by side and pk's and Portkey's ratio to the bare proxy: requests/s and gateway CPU
// µs per request at saturation (CPU from /proc: the primary figure, as shared cores make throughput
// noisy) at 50 connections and at the default, a production config (fallback with a retry rule, cache
// on, every request a miss), simple-cache hits, added latency p50/p99 at a paced 500 req/s (open loop,
// sub-ms timing), streaming first-byte overhead, RSS idle and peak, a 1 MiB body and a 50 ms upstream.
// A script, not a test: the numbers depend on the machine, so read the ratios.
//
// Options: --runs N (or PK_BENCH_RUNS, default 1): every figure is the median of N runs.
// Env: PK_BENCH_SECONDS (saturation run length, default 5), PK_BENCH_CONNECTIONS (default 128; 50 is
// always measured too), PK_BENCH_LATENCY_MS (mock latency before headers, default 0), PK_BENCH_CHUNKS
// (stream pieces, 8), PK_BENCH_PORTKEY (0 to skip Portkey), PK_BENCH_CACHE_MAX_BYTES (pk's
// PK_CACHE_MAX_BYTES, default 64 MiB), PK_BENCH_CPU_PROF (a folder: pk runs with --cpu-prof there),
// PK_BENCH_LOG_STORE (0 to skip the log store off/on rows), PK_BENCH_WARM_SECONDS (each process's
// warm-up before the first run's measurements, chat then streamed at 50 connections: default 10 s
// each, so the first run measures steady state rather than V8 still compiling the gateway's code).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { measureLogStoreCpu } from './log-store-cpu.mjs';
import { backToBack, pacedLoad, quantile } from './paced-load.mjs';
import { ensurePortkeyGateway, startPortkeyGateway } from './portkey-gateway.mjs';
import {
  cpuMs,
  PK_NODE_FLAGS,
  peakRssMiB,
  rssMiB,
  SIMPLE_CACHE_HEADERS,
  startProcess,
} from './processes.mjs';

const runsFlag = process.argv.indexOf('--runs');
const runs = Number(runsFlag === -1 ? (process.env.PK_BENCH_RUNS ?? 1) : process.argv[runsFlag + 1]);
const seconds = Number(process.env.PK_BENCH_SECONDS ?? 5);
const warmSeconds = Number(process.env.PK_BENCH_WARM_SECONDS ?? 10);
const defaultConnections = Number(process.env.PK_BENCH_CONNECTIONS ?? 128);
const connectionCounts = [...new Set([50, defaultConnections])];
const upstreamLatency = Number(process.env.PK_BENCH_LATENCY_MS ?? 0);
const chunks = Number(process.env.PK_BENCH_CHUNKS ?? 8);
const withPortkey = process.env.PK_BENCH_PORTKEY !== '0';
const cacheMaxBytes = Number(process.env.PK_BENCH_CACHE_MAX_BYTES ?? 64 * 1024 * 1024);
const cpuProfileDir = process.env.PK_BENCH_CPU_PROF;
const here = new URL('.', import.meta.url).pathname;
const log = (line) => process.stdout.write(`${line}\n`);
const ANSWER = 'The capital of France is Paris.';
const children = [];

const mockReady = /mock upstream listening on (http:\/\/\S+)/;
const upstream = await startProcess(
  `${here}mock-openai-upstream.mjs`,
  ['--latency', String(upstreamLatency), '--chunks', String(chunks)],
  {},
  mockReady,
);
const slowUpstream = await startProcess(
  `${here}mock-openai-upstream.mjs`,
  ['--latency', '50', '--chunks', String(chunks)],
  {},
  mockReady,
);
children.push(upstream, slowUpstream);
const bare = await startProcess(
  `${here}bare-proxy.mjs`,
  [],
  { PORT: '0' },
  /bare proxy listening on (http:\/\/\S+)/,
  { cwd: here },
);
children.push(bare);
// The gateway as `pnpm start` runs it: embedded defaults, its SQLite store opened (in a data
// directory of its own), the memory cache bounded by PK_CACHE_MAX_BYTES.
const dataDir = mkdtempSync(join(tmpdir(), 'pk-bench-data-'));
process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
const pk = await startProcess(
  `${here}../dist/server.js`,
  [],
  { PORT: '0', PK_LOG_LEVEL: 'info', PK_DATA_DIR: dataDir, PK_CACHE_MAX_BYTES: String(cacheMaxBytes) },
  /pk gateway listening on (http:\/\/[^"\s]+)/,
  {
    nodeFlags: [
      ...PK_NODE_FLAGS,
      ...(cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : []),
    ],
  },
);
children.push(pk);
let portkey;
if (withPortkey) {
  try {
    portkey = await startPortkeyGateway(ensurePortkeyGateway(log), 18000 + Math.floor(Math.random() * 2000));
    children.push(portkey);
  } catch (error) {
    log(`Portkey's gateway is not available here (${error.message.split('\n')[0]}): its columns are empty.`);
  }
}
await sleep(1000);
const idleRss = {
  bare: rssMiB(bare.child.pid),
  pk: rssMiB(pk.child.pid),
  ...(portkey ? { portkey: rssMiB(portkey.child.pid) } : {}),
};

const chatBody = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'What is the capital of France?' }],
};
const streamBody = { ...chatBody, stream: true };
const gatewayHeaders = (host) => ({
  'content-type': 'application/json',
  'x-portkey-provider': 'openai',
  authorization: 'Bearer sk-bench',
  'x-portkey-custom-host': `${host}/v1`,
});
const directHeaders = { 'content-type': 'application/json', authorization: 'Bearer sk-bench' };
const gatewayTarget = (name, process, host = upstream.url, headers = gatewayHeaders) => ({
  name,
  url: process.url,
  headers: () => headers(host),
  pid: process.child.pid,
});
const targets = [
  { name: 'direct', url: upstream.url, headers: () => directHeaders },
  gatewayTarget('bare', bare),
  gatewayTarget('pk', pk),
  ...(portkey ? [gatewayTarget('portkey', portkey)] : []),
];
const gateways = targets.slice(1);
const isComplete = (text) =>
  text.includes('data: ')
    ? text.includes('data: [DONE]') && !text.includes('event: error')
    : text.includes(ANSWER);

// What a production config uses: a fallback between two targets with a retry rule, the simple cache
// on; every request a different question, so each one misses the cache and is stored.
const productionConfig = JSON.stringify({
  strategy: { mode: 'fallback' },
  retry: { attempts: 2, on_status_codes: [429, 500, 502, 503] },
  cache: { mode: 'simple', max_age: 3600 },
  targets: [
    { provider: 'openai', api_key: 'sk-bench', custom_host: `${upstream.url}/v1` },
    { provider: 'openai', api_key: 'sk-bench-2', custom_host: `${upstream.url}/v1` },
  ],
});
const pkProduction = {
  ...gatewayTarget('pk', pk),
  headers: () => ({ 'content-type': 'application/json', 'x-portkey-config': productionConfig }),
  uniqueBodies: true,
};
const pkCacheHit = {
  ...gatewayTarget('pk', pk),
  headers: () => ({
    ...gatewayHeaders(upstream.url),
    ...SIMPLE_CACHE_HEADERS,
  }),
};

async function saturate(target, body, duration, connections) {
  let bad = 0;
  const before = target.pid ? cpuMs(target.pid) : 0;
  const text = JSON.stringify(body);
  // A miss every time: the question carries a counter (two string joins per request).
  const [head, tail] = text.split('What is the capital');
  let sequence = 0;
  const result = await autocannon({
    url: `${target.url}/v1/chat/completions`,
    method: 'POST',
    headers: target.headers(),
    body: text,
    ...(target.uniqueBodies
      ? {
          requests: [
            {
              setupRequest: (request) => {
                sequence += 1;
                request.body = `${head}${sequence} What is the capital${tail}`;
                return request;
              },
            },
          ],
        }
      : {}),
    connections,
    duration,
    verifyBody: (answer) => {
      const ok = isComplete(answer);
      if (!ok) bad += 1;
      return ok;
    },
  });
  const cpu = target.pid
    ? ((cpuMs(target.pid) - before) * 1000) / Math.max(1, result.requests.total)
    : undefined;
  if (result.non2xx > 0 || result.errors > 0 || bad > 0) {
    throw new Error(`${target.name}: ${result.non2xx} non-2xx, ${result.errors} errors, ${bad} wrong bodies`);
  }
  return { rps: result.requests.average, cpu };
}

/** One run of every measurement: `{ metric: { target: number } }`. */
async function measure(runIndex) {
  const results = {};
  const record = (metric, target, value) => {
    results[metric] ??= {};
    results[metric][target] = value;
  };
  const warmUp = runIndex === 0;
  // Steady state first: a process's first seconds under load run code V8 is still compiling (pk's
  // compiler thread took 22–76 µs per request in the 5 s after a 2–3 s warm-up, 1–4 µs in the next
  // 5 s: /proc/<pid>/task/<tid>/stat).
  if (warmUp && warmSeconds > 0) {
    for (const target of targets) {
      await saturate(target, chatBody, warmSeconds, 50);
      await saturate(target, streamBody, warmSeconds, 50);
    }
  }
  // Saturation, rounds alternating between the targets, at 50 connections and at the default.
  for (const connections of connectionCounts) {
    for (const [scenario, body] of [
      ['chat', chatBody],
      ['chat, streamed', streamBody],
    ]) {
      // At 50 connections the steady-state warm-up above has just run these requests.
      const warmedAlready = warmSeconds > 0 && connections === 50;
      if (warmUp && !warmedAlready)
        for (const target of targets) await saturate(target, body, 2, connections);
      for (const target of targets) {
        const { rps, cpu } = await saturate(target, body, seconds, connections);
        record(`${scenario} @${connections}: requests/s at saturation`, target.name, rps);
        if (cpu !== undefined)
          record(`${scenario} @${connections}: gateway CPU µs per request`, target.name, cpu);
      }
    }
  }
  // Peak RSS under the saturation load, before the cache rows fill the cache: in the first run only
  // (the peak of a process never goes down, so later runs would include the cache rows).
  if (runIndex === 0) {
    for (const target of gateways)
      record('RSS peak under saturation, MiB', target.name, peakRssMiB(target.pid));
  }
  // pk with a production config and with simple-cache hits, against the bare proxy's pass-through.
  for (const [scenario, target] of [
    ['chat @50, pk production config (fallback + retry rule, cache on, miss)', pkProduction],
    [`chat @50, pk simple-cache hit (PK_CACHE_MAX_BYTES=${cacheMaxBytes})`, pkCacheHit],
  ]) {
    if (warmUp) await saturate(target, chatBody, 2, 50);
    const baseline = await saturate(gateways[0], chatBody, seconds, 50);
    const { rps, cpu } = await saturate(target, chatBody, seconds, 50);
    record(`${scenario}: requests/s`, 'bare', baseline.rps);
    record(`${scenario}: requests/s`, 'pk', rps);
    record(`${scenario}: gateway CPU µs per request`, 'bare', baseline.cpu);
    record(`${scenario}: gateway CPU µs per request`, 'pk', cpu);
  }
  // Guardrails (pk only): the same config without hooks, and with an input PII scan and an output
  // regex. A config without hooks takes the path of no config at all.
  const configured = (hooks) => ({
    ...gatewayTarget('pk', pk),
    headers: () => ({
      'content-type': 'application/json',
      'x-portkey-config': JSON.stringify({
        provider: 'openai',
        api_key: 'sk-bench',
        custom_host: `${upstream.url}/v1`,
        ...hooks,
      }),
    }),
  });
  const guardrailScenarios = [
    ['chat @50, pk config without guardrails', configured({})],
    [
      'chat @50, pk config with pk.pii in + regexMatch out',
      configured({
        input_guardrails: [{ 'pk.pii': {} }],
        output_guardrails: [{ regexMatch: { rule: '(?i)password', not: true }, deny: true }],
      }),
    ],
  ];
  if (warmUp) for (const [, target] of guardrailScenarios) await saturate(target, chatBody, 2, 50);
  for (const [scenario, target] of guardrailScenarios) {
    const { cpu } = await saturate(target, chatBody, seconds, 50);
    record(`${scenario}: gateway CPU µs per request`, 'pk', cpu);
  }
  // Added latency at a fixed 500 req/s (open loop), against the upstream alone.
  const paced = {};
  for (const target of targets) {
    const run = await pacedLoad({
      url: `${target.url}/v1/chat/completions`,
      headers: target.headers(),
      body: JSON.stringify(chatBody),
      ratePerSecond: 500,
      count: 2500,
      check: isComplete,
    });
    if (run.failures > 0) throw new Error(`${target.name}: ${run.failures} failed answers at 500 req/s`);
    paced[target.name] = run.latencies;
  }
  for (const target of gateways) {
    for (const q of [0.5, 0.99]) {
      record(
        `added latency p${q * 100} at 500 req/s, ms`,
        target.name,
        quantile(paced[target.name], q) - quantile(paced.direct, q),
      );
    }
  }
  // Streaming: time to the first byte, 100 req/s.
  const firstBytes = {};
  for (const target of targets) {
    const run = await pacedLoad({
      url: `${target.url}/v1/chat/completions`,
      headers: target.headers(),
      body: JSON.stringify(streamBody),
      ratePerSecond: 100,
      count: 400,
      check: isComplete,
      firstByte: true,
    });
    firstBytes[target.name] = run.latencies;
  }
  for (const target of gateways) {
    record(
      'added streaming first byte p50, ms',
      target.name,
      quantile(firstBytes[target.name], 0.5) - quantile(firstBytes.direct, 0.5),
    );
  }
  // A 1 MiB request body: gateway CPU per request vs one JSON.parse + JSON.stringify of it.
  const bigBody = JSON.stringify({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'x'.repeat(1024 * 1024) }],
  });
  const parseTimes = [];
  for (let index = 0; index < 30; index += 1) {
    const started = performance.now();
    JSON.stringify(JSON.parse(bigBody));
    parseTimes.push(performance.now() - started);
  }
  record(
    '1 MiB body: gateway CPU ms per request, back to back',
    'direct',
    quantile(
      parseTimes.sort((left, right) => left - right),
      0.5,
    ),
  );
  const bigRun = (target) => ({
    url: `${target.url}/v1/chat/completions`,
    headers: target.headers(),
    body: bigBody,
    check: isComplete,
  });
  for (const target of gateways) {
    if (warmUp) await backToBack({ ...bigRun(target), concurrency: 2, count: 20 });
    const before = cpuMs(target.pid);
    const saturated = await backToBack({ ...bigRun(target), concurrency: 2, count: 100 });
    if (saturated.failures > 0) throw new Error(`${target.name}: ${saturated.failures} failed 1 MiB answers`);
    record(
      '1 MiB body: gateway CPU ms per request, back to back',
      target.name,
      (cpuMs(target.pid) - before) / 100,
    );
  }
  // A 50 ms upstream at 200 req/s: passed through vs a simple-cache hit.
  const slowRuns = {};
  const slowCached = {
    ...gatewayTarget('pk cache hit', pk, slowUpstream.url),
    headers: () => ({
      ...gatewayHeaders(slowUpstream.url),
      ...SIMPLE_CACHE_HEADERS,
    }),
  };
  for (const target of [
    { name: 'direct', url: slowUpstream.url, headers: () => directHeaders },
    gatewayTarget('bare', bare, slowUpstream.url),
    gatewayTarget('pk', pk, slowUpstream.url),
    slowCached,
  ]) {
    // Warmed first: the first requests to a new upstream origin (connections opened, the slow mock's
    // own first answers) take 60-85 ms through any proxy, which alone would be the p99 of 800.
    const paced = (count) =>
      pacedLoad({
        url: `${target.url}/v1/chat/completions`,
        headers: target.headers(),
        body: JSON.stringify(chatBody),
        ratePerSecond: 200,
        count,
        check: isComplete,
      });
    await paced(100);
    const before = target.pid ? cpuMs(target.pid) : 0;
    const run = await paced(800);
    if (run.failures > 0) throw new Error(`${target.name}: ${run.failures} failed answers, 50 ms upstream`);
    const column = target.name === 'pk cache hit' ? 'pk' : target.name;
    const metric =
      target.name === 'pk cache hit' ? '50 ms upstream, pk simple-cache hit' : '50 ms upstream, pass-through';
    if (target.pid)
      record(
        `${metric}: gateway CPU µs per request at 200 req/s`,
        column,
        ((cpuMs(target.pid) - before) * 1000) / 800,
      );
    slowRuns[target.name] = run.latencies;
  }
  for (const name of ['bare', 'pk', 'pk cache hit']) {
    const metric =
      name === 'pk cache hit' ? '50 ms upstream, pk simple-cache hit' : '50 ms upstream, pass-through';
    for (const q of [0.5, 0.99]) {
      record(
        `${metric}: added latency p${q * 100}, ms`,
        name === 'pk cache hit' ? 'pk' : name,
        quantile(slowRuns[name], q) - quantile(slowRuns.direct, q),
      );
    }
  }
  return results;
}

const median = (values) => {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((left, right) => left - right);
  return sorted.length === 0 ? undefined : sorted[Math.floor((sorted.length - 1) / 2)];
};
const digitsOf = (metric) =>
  metric.includes('µs') || metric.includes('requests/s') ? 0 : metric.includes('RSS') ? 1 : 2;
const fmt = (value, digits) => (value === undefined ? '' : value.toFixed(digits));
/** pk's or Portkey's figure against the bare proxy's: a ratio, or for latencies a difference. */
function versusBare(metric, value, bareValue) {
  if (value === undefined || bareValue === undefined) return '';
  if (metric.includes('latency') || metric.includes('first byte')) {
    const difference = value - bareValue;
    return `${difference >= 0 ? '+' : '−'}${Math.abs(difference).toFixed(2)}`;
  }
  return bareValue === 0 ? '' : `${(value / bareValue).toFixed(2)}×`;
}

let failed = false;
try {
  const loadBefore = loadavg().map((value) => value.toFixed(2));
  log(
    `pk bench: ${runs} run(s) (median printed), connections ${connectionCounts.join(' and ')}, ${seconds} s per saturation run, upstream latency ${upstreamLatency} ms, ${chunks} chunks, node ${process.version}, PK_CACHE_MAX_BYTES=${cacheMaxBytes}`,
  );
  log(`load average before: ${loadBefore.join(' ')}`);
  const all = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    all.push(await measure(run));
    log(`run ${run + 1}/${runs} done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  const results = { 'RSS idle (after start, no request yet), MiB': idleRss };
  for (const metric of Object.keys(all[0])) {
    results[metric] = {};
    for (const target of Object.keys(all[0][metric]))
      results[metric][target] = median(all.map((run) => run[metric]?.[target]));
  }
  if (process.env.PK_BENCH_LOG_STORE !== '0') {
    // The request log store (SQLite, the default) off and on: pk processes loaded side by side, in 5
    // pairs of fresh processes (the medians of each side's rounds, and the median of the pairs'
    // on/off ratios, printed too).
    const logStore = await measureLogStoreCpu({ upstreamUrl: upstream.url, seconds, connections: 50 });
    results['chat @50: gateway CPU µs per request, pk log store off (PK_LOG_STORE=off)'] = {
      pk: logStore.off,
    };
    results['chat @50: gateway CPU µs per request, pk log store on (SQLite, the default)'] = {
      pk: logStore.on,
    };
    log(
      `log store on / off of each process pair: ${logStore.pairRatios.map((ratio) => ratio.toFixed(3)).join(' ')}`,
    );
    results['chat @50: pk log store on / off, median of 5 process pairs’ ratios'] = { pk: logStore.ratio };
    // The same with a trace id and a `_user` of each request's own (clients that send their own
    // `x-portkey-trace-id` UUIDs): the log's indexes take those at random places, not at their ends.
    const randomKeys = await measureLogStoreCpu({
      upstreamUrl: upstream.url,
      seconds,
      connections: 50,
      randomKeys: true,
    });
    log(
      `log store on / off with random trace ids and users, each process pair: ${randomKeys.pairRatios.map((ratio) => ratio.toFixed(3)).join(' ')}`,
    );
    results[
      'chat @50, a random trace id and `_user` per request: pk log store on / off, median of 5 process pairs’ ratios'
    ] = { pk: randomKeys.ratio };
  }
  const withPk = Object.values(results).some((row) => row.portkey !== undefined);
  log(
    `load average after: ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}`,
  );
  log('');
  const header = [
    'metric',
    'direct',
    'bare proxy',
    'pk',
    'pk vs bare',
    ...(withPk ? ['Portkey 1.15.2', 'Portkey vs bare'] : []),
  ];
  log(`| ${header.join(' | ')} |`);
  log(`| ${header.map(() => '---').join(' | ')} |`);
  for (const [metric, row] of Object.entries(results)) {
    const digits = digitsOf(metric);
    const cells = [
      metric,
      fmt(row.direct, digits),
      fmt(row.bare, digits),
      fmt(row.pk, digits),
      versusBare(metric, row.pk, row.bare),
      ...(withPk ? [fmt(row.portkey, digits), versusBare(metric, row.portkey, row.bare)] : []),
    ];
    log(`| ${cells.join(' | ')} |`);
  }
  if (!portkey && withPortkey)
    log('\nPortkey: not available on this machine (see above); its columns are left out.');
} catch (error) {
  failed = true;
  log(`bench failed: ${error.message}`);
} finally {
  for (const child of children) child.child.kill('SIGTERM');
  await sleep(cpuProfileDir ? 2000 : 300);
}
process.exit(failed ? 1 : 0);
