// pnpm bench: the gateway's hot path, measured. Starts a mock OpenAI upstream, the built pk gateway
// and (unless PK_BENCH_PORTKEY=0) Portkey's open-source gateway 1.15.2 as their own processes, and
// drives the same requests straight at the upstream, through pk and through Portkey, in alternating
// rounds. Every answer's content is checked (a fast error must not count). It prints one table:
// requests/s at saturation, gateway CPU µs per request (from /proc: the primary figure, as two shared
// cores make throughput noisy), added latency p50/p99 at a fixed 500 req/s (open loop, sub-ms
// timing), streaming first-byte overhead, peak RSS, CPU per request for a 1 MiB body, and a cache
// hit against a 50 ms upstream. A script, not a test: the numbers depend on the machine.
//
// Env: PK_BENCH_SECONDS (saturation run length, default 5), PK_BENCH_CONNECTIONS (default 128: with 32 the load generator, not the gateway, set pk's pace here),
// PK_BENCH_LATENCY_MS (mock latency before headers, default 0), PK_BENCH_CHUNKS (stream pieces, 8),
// PK_BENCH_PORTKEY (0 to skip Portkey).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { measureLogStoreCpu } from './log-store-cpu.mjs';
import { backToBack, pacedLoad, quantile } from './paced-load.mjs';
import { ensurePortkeyGateway, startPortkeyGateway } from './portkey-gateway.mjs';
import { cpuMs, peakRssMiB, startProcess } from './processes.mjs';

const seconds = Number(process.env.PK_BENCH_SECONDS ?? 5);
const connections = Number(process.env.PK_BENCH_CONNECTIONS ?? 128);
const upstreamLatency = Number(process.env.PK_BENCH_LATENCY_MS ?? 0);
const chunks = Number(process.env.PK_BENCH_CHUNKS ?? 8);
const withPortkey = process.env.PK_BENCH_PORTKEY !== '0';
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
// The gateway as `pnpm start` runs it: its SQLite store opened (in a data directory of its own).
const dataDir = mkdtempSync(join(tmpdir(), 'pk-bench-data-'));
process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
const pk = await startProcess(
  `${here}../dist/server.js`,
  [],
  { PORT: '0', PK_LOG_LEVEL: 'info', PK_DATA_DIR: dataDir },
  /pk gateway listening on (http:\/\/[^"\s]+)/,
  { nodeFlags: ['--max-semi-space-size=8'] },
);
children.push(pk);
let portkey;
if (withPortkey) {
  try {
    portkey = await startPortkeyGateway(ensurePortkeyGateway(log), 18000 + Math.floor(Math.random() * 2000));
    children.push(portkey);
  } catch (error) {
    log(`Portkey's gateway could not be started (${error.message.split('\n')[0]}); its columns are empty.`);
  }
}

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
const targets = [
  { name: 'direct', url: upstream.url, headers: () => directHeaders },
  { name: 'pk', url: pk.url, headers: () => gatewayHeaders(upstream.url), pid: pk.child.pid },
  ...(portkey
    ? [
        {
          name: 'portkey',
          url: portkey.url,
          headers: () => gatewayHeaders(upstream.url),
          pid: portkey.child.pid,
        },
      ]
    : []),
];
const isComplete = (text) =>
  text.includes('data: ')
    ? text.includes('data: [DONE]') && !text.includes('event: error')
    : text.includes(ANSWER);

async function saturate(target, body, duration) {
  let bad = 0;
  const before = target.pid ? cpuMs(target.pid) : 0;
  const result = await autocannon({
    url: `${target.url}/v1/chat/completions`,
    method: 'POST',
    headers: target.headers(),
    body: JSON.stringify(body),
    connections,
    duration,
    verifyBody: (text) => {
      const ok = isComplete(text);
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

const results = {};
const record = (metric, target, value) => {
  results[metric] ??= {};
  results[metric][target] = value;
};
const fmt = (value, digits = 0) => (value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits));
let failed = false;
try {
  log(
    `pk bench: ${connections} connections, ${seconds} s per saturation run, upstream latency ${upstreamLatency} ms, ${chunks} chunks, node ${process.version}`,
  );
  // Saturation, rounds alternating between the targets.
  for (const [scenario, body] of [
    ['chat', chatBody],
    ['chat, streamed', streamBody],
  ]) {
    for (const target of targets) await saturate(target, body, 2); // warm-up
    for (const target of targets) {
      const { rps, cpu } = await saturate(target, body, seconds);
      record(`${scenario}: requests/s at saturation`, target.name, fmt(rps));
      if (cpu !== undefined) record(`${scenario}: gateway CPU µs per request`, target.name, fmt(cpu));
    }
  }
  // Guardrails (pk only): the same config without hooks, and with an input PII scan and an output
  // regex, in alternating rounds. A config without hooks takes the path of no config at all.
  const configured = (hooks) => ({
    name: 'pk',
    url: pk.url,
    pid: pk.child.pid,
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
    ['chat, config without guardrails', configured({})],
    [
      'chat, config with pk.pii in + regexMatch out',
      configured({
        input_guardrails: [{ 'pk.pii': {} }],
        output_guardrails: [{ regexMatch: { rule: '(?i)password', not: true }, deny: true }],
      }),
    ],
  ];
  for (const [, target] of guardrailScenarios) await saturate(target, chatBody, 2);
  for (const [scenario, target] of guardrailScenarios) {
    const { cpu } = await saturate(target, chatBody, seconds);
    record(`${scenario}: gateway CPU µs per request`, 'pk', fmt(cpu));
  }
  // Added latency at a fixed 500 req/s (open loop).
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
  for (const target of targets.slice(1)) {
    record(
      'added latency p50 at 500 req/s, ms',
      target.name,
      fmt(quantile(paced[target.name], 0.5) - quantile(paced.direct, 0.5), 2),
    );
    record(
      'added latency p99 at 500 req/s, ms',
      target.name,
      fmt(quantile(paced[target.name], 0.99) - quantile(paced.direct, 0.99), 2),
    );
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
  for (const target of targets.slice(1)) {
    record(
      'streaming first-byte overhead p50, ms',
      target.name,
      fmt(quantile(firstBytes[target.name], 0.5) - quantile(firstBytes.direct, 0.5), 2),
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
  const parseMs = quantile(
    parseTimes.sort((left, right) => left - right),
    0.5,
  );
  const bigRun = (target) => ({
    url: `${target.url}/v1/chat/completions`,
    headers: target.headers(),
    body: bigBody,
    check: isComplete,
  });
  record(
    '1 MiB body: gateway CPU ms per request, back to back',
    'direct',
    `${fmt(parseMs, 2)} (parse+stringify)`,
  );
  for (const target of targets.slice(1)) {
    // Back to back over 2 connections (the target figure: CPU per request at saturation), then at a
    // paced 20 req/s, where waking the idle process for each read adds the machine's own cost.
    await backToBack({ ...bigRun(target), concurrency: 2, count: 20 }); // warm-up
    let before = cpuMs(target.pid);
    const saturated = await backToBack({ ...bigRun(target), concurrency: 2, count: 100 });
    if (saturated.failures > 0) throw new Error(`${target.name}: ${saturated.failures} failed 1 MiB answers`);
    record(
      '1 MiB body: gateway CPU ms per request, back to back',
      target.name,
      fmt((cpuMs(target.pid) - before) / 100, 2),
    );
    before = cpuMs(target.pid);
    const run = await pacedLoad({ ...bigRun(target), ratePerSecond: 20, count: 60 });
    if (run.failures > 0) throw new Error(`${target.name}: ${run.failures} failed 1 MiB answers`);
    record(
      '1 MiB body: gateway CPU ms per request at 20 req/s',
      target.name,
      fmt((cpuMs(target.pid) - before) / 60, 2),
    );
  }
  // Cache: a 50 ms upstream, passed through vs a simple-cache hit (pk only).
  const slowDirect = { name: 'direct', url: slowUpstream.url, headers: () => directHeaders };
  const slowPk = {
    name: 'pk',
    url: pk.url,
    headers: () => gatewayHeaders(slowUpstream.url),
    pid: pk.child.pid,
  };
  const cachedPk = {
    ...slowPk,
    headers: () => ({
      ...gatewayHeaders(slowUpstream.url),
      'x-portkey-config': JSON.stringify({ cache: { mode: 'simple', max_age: 3600 } }),
    }),
  };
  const slowRuns = {};
  for (const [name, target] of [
    ['direct', slowDirect],
    ['pk pass-through', slowPk],
    ['pk cache hit', cachedPk],
  ]) {
    const before = target.pid ? cpuMs(target.pid) : 0;
    const run = await pacedLoad({
      url: `${target.url}/v1/chat/completions`,
      headers: target.headers(),
      body: JSON.stringify(chatBody),
      ratePerSecond: 200,
      count: 800,
      check: isComplete,
    });
    if (target.pid)
      record(
        '50 ms upstream: gateway CPU µs per request',
        name,
        fmt(((cpuMs(target.pid) - before) * 1000) / 800),
      );
    slowRuns[name] = run.latencies;
  }
  for (const name of ['pk pass-through', 'pk cache hit']) {
    record(
      '50 ms upstream: added latency p50 / p99, ms',
      name,
      `${fmt(quantile(slowRuns[name], 0.5) - quantile(slowRuns.direct, 0.5), 2)} / ${fmt(quantile(slowRuns[name], 0.99) - quantile(slowRuns.direct, 0.99), 2)}`,
    );
  }
  // The request log store (SQLite, the default) off and on: two more pk processes, alternating rounds.
  const logStore = await measureLogStoreCpu({ upstreamUrl: upstream.url, seconds, connections });
  record(
    'chat: gateway CPU µs per request, log store off / on (SQLite)',
    'pk',
    `${fmt(logStore.off)} / ${fmt(logStore.on)} (${(logStore.on / logStore.off).toFixed(2)}×)`,
  );
  record('peak RSS, MiB', 'pk', fmt(peakRssMiB(pk.child.pid), 1));
  if (portkey) record('peak RSS, MiB', 'portkey', fmt(peakRssMiB(portkey.child.pid), 1));

  const columns = ['direct', 'pk', 'portkey', 'pk pass-through', 'pk cache hit'].filter((column) =>
    Object.values(results).some((row) => row[column] !== undefined),
  );
  log('');
  log(`| metric | ${columns.join(' | ')} |`);
  log(`| --- | ${columns.map(() => '---').join(' | ')} |`);
  for (const [metric, row] of Object.entries(results))
    log(`| ${metric} | ${columns.map((column) => row[column] ?? '').join(' | ')} |`);
} catch (error) {
  failed = true;
  log(`bench failed: ${error.message}`);
} finally {
  for (const child of children) child.child.kill('SIGTERM');
  await sleep(300);
}
process.exit(failed ? 1 : 0);
