// pnpm --filter @pk/gateway bench:observability (or `pnpm bench:observability` at the root): what
// Prometheus metrics and OpenTelemetry export cost per request. Starts the mock OpenAI upstream, an
// OTLP/HTTP sink in this process, and three built gateways: metrics off (PK_METRICS=0), metrics on
// (scraped every 5 s on PK_METRICS_PORT, as a Prometheus would), and metrics on + spans exported
// (OTEL_EXPORTER_OTLP_ENDPOINT). Each is saturated in alternating rounds with the same chat request;
// the gateway's CPU time from /proc divided by the requests it answered is the figure (two shared
// cores make requests/s noisy). Metrics are compared with `off` first, span export in a second phase
// against `off` again, so the exporter's background work never lands in another gateway's rounds. A script, not a test: the numbers depend on the machine.
//
// Env: PK_BENCH_SECONDS (per round, default 3), PK_BENCH_ROUNDS (default 4), PK_BENCH_CONNECTIONS (default 64),
// PK_BENCH_AA=1 (an A/A check: the "metrics on" gateway runs with metrics off too, to see the harness's own spread).
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { cpuMs, PK_NODE_FLAGS, startProcess } from './processes.mjs';

const seconds = Number(process.env.PK_BENCH_SECONDS ?? 3);
const rounds = Number(process.env.PK_BENCH_ROUNDS ?? 4);
const connections = Number(process.env.PK_BENCH_CONNECTIONS ?? 64);
const here = new URL('.', import.meta.url).pathname;
const log = (line) => process.stdout.write(`${line}\n`);
const children = [];
const cleanups = [];
process.on('exit', () => {
  for (const child of children) child.child.kill();
  for (const cleanup of cleanups) cleanup();
});

// The OTLP sink: accepts every export (200 `{}`), counts spans' bytes; its CPU is not the gateway's.
let exportedBytes = 0;
let exports = 0;
const sink = createServer((request, response) => {
  request.on('data', (chunk) => {
    exportedBytes += chunk.length;
  });
  request.on('end', () => {
    exports += 1;
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
sink.listen(0, '127.0.0.1');
await once(sink, 'listening');
const sinkUrl = `http://127.0.0.1:${sink.address().port}`;

const upstream = await startProcess(
  `${here}mock-openai-upstream.mjs`,
  ['--latency', '0', '--chunks', '8'],
  {},
  /mock upstream listening on (http:\/\/\S+)/,
);
children.push(upstream);

async function startGateway(name, env) {
  const dataDir = mkdtempSync(join(tmpdir(), `pk-bench-${name.replace(/[^a-z0-9]+/gi, '-')}-`));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const gateway = await startProcess(
    `${here}../dist/server.js`,
    [],
    { PORT: '0', PK_LOG_LEVEL: 'info', PK_DATA_DIR: dataDir, ...env },
    /pk gateway listening on (http:\/\/[^"\s]+)/,
    { nodeFlags: PK_NODE_FLAGS },
  );
  children.push(gateway);
  return { name, url: gateway.url, pid: gateway.child.pid, cpu: 0, requests: 0, perRound: [] };
}

/** A port free right now (the metrics port of a gateway, so the scraper knows it in advance). */
async function freePort() {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const metricsPorts = [await freePort(), await freePort()];
const off = await startGateway('metrics off (PK_METRICS=0)', { PK_METRICS: '0' });
const aa = process.env.PK_BENCH_AA === '1';
const metrics = aa
  ? await startGateway('A/A: metrics off as well', { PK_METRICS: '0' })
  : await startGateway('metrics on, scraped every 5 s', { PK_METRICS_PORT: String(metricsPorts[0]) });
const targets = [off, metrics];
// A Prometheus scraping every 5 s (real ones scrape every 15-60 s): its cost is in the figures.
const scraper = setInterval(() => {
  for (const port of metricsPorts) {
    fetch(`http://127.0.0.1:${port}/metrics`)
      .then((response) => response.arrayBuffer())
      .catch(() => undefined);
  }
}, 5000);
const body = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'What is the capital of France?' }],
});
const headers = {
  'content-type': 'application/json',
  'x-portkey-provider': 'openai',
  authorization: 'Bearer sk-bench',
  'x-portkey-custom-host': `${upstream.url}/v1`,
};

async function saturate(target, duration) {
  let bad = 0;
  const before = cpuMs(target.pid);
  const result = await autocannon({
    url: `${target.url}/v1/chat/completions`,
    method: 'POST',
    headers,
    body,
    connections,
    duration,
    verifyBody: (text) => {
      const ok = text.includes('Paris');
      if (!ok) bad += 1;
      return ok;
    },
  });
  const cpu = cpuMs(target.pid) - before;
  if (result.non2xx > 0 || result.errors > 0 || bad > 0) {
    throw new Error(`${target.name}: ${result.non2xx} non-2xx, ${result.errors} errors, ${bad} wrong bodies`);
  }
  return { cpu, requests: result.requests.total };
}

/** Alternating rounds of `pair` ([off, other]): `other`'s ratio to `off` is taken per round. */
async function compare(pair) {
  for (const target of pair) await saturate(target, 1); // warm-up (JIT, connection pools)
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? pair : [...pair].reverse();
    for (const target of order) {
      const { cpu, requests } = await saturate(target, seconds);
      target.cpu += cpu;
      target.requests += requests;
      target.perRound.push((cpu * 1000) / requests);
    }
  }
}
// Metrics first, with only the two gateways running; then span export, in a phase of its own (its
// background export would otherwise load the machine during the other gateways' rounds).
await compare([off, metrics]);
const offForMetrics = { ...off, perRound: [...off.perRound] };
const otel = await startGateway('metrics on + OTLP span export', {
  PK_METRICS_PORT: String(metricsPorts[1]),
  OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
});
targets.push(otel);
const offForOtel = {
  ...off,
  name: 'metrics off (PK_METRICS=0), second phase',
  cpu: 0,
  requests: 0,
  perRound: [],
};
await compare([offForOtel, otel]);

clearInterval(scraper);
const fmt = (value, digits = 1) => value.toFixed(digits);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const baseOf = (target) => (target === otel || target === offForOtel ? offForOtel : offForMetrics);
log('');
// The ratio to `off` is taken per round (the rounds of one gateway and of `off` run back to back,
// under the same load from the rest of the machine), and the median of those ratios is reported.
log(
  `| gateway (${rounds} rounds × ${seconds} s, ${connections} connections) | CPU µs/request | median of rounds | vs off (all rounds) | vs off (median of per-round ratios) | requests |`,
);
log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const target of [offForMetrics, metrics, offForOtel, otel]) {
  const perRequest = (target.cpu * 1000) / target.requests;
  const base = baseOf(target);
  const ratios = target.perRound.map((value, round) => value / (base.perRound[round] ?? value));
  log(
    `| ${target.name} | ${fmt(perRequest)} | ${fmt(median(target.perRound))} | ${fmt(perRequest / ((base.cpu * 1000) / base.requests), 3)}× | ${fmt(median(ratios), 3)}× | ${target.requests} |`,
  );
}
log('');
log(
  `OTLP export: ${exports} batched POSTs, ${fmt(exportedBytes / 1024 / 1024, 1)} MiB of OTLP/JSON (warm-up included).`,
);
process.exit(0);
