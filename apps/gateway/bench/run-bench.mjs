// pnpm bench: the gateway's hot path, measured. Starts the mock OpenAI upstream and the built gateway
// as their own processes, then drives the same request (a) straight at the upstream and (b) through
// the gateway, with autocannon, and prints throughput, latency percentiles, the latency the gateway
// adds, and the gateway's CPU time per request. A script, not a test: numbers depend on the machine.
//
// Options (env): PK_BENCH_SECONDS (default 8 per run), PK_BENCH_CONNECTIONS (default 32),
// PK_BENCH_LATENCY_MS (upstream latency before headers, default 0), PK_BENCH_CHUNKS (default 8).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';

const seconds = Number(process.env.PK_BENCH_SECONDS ?? 8);
const connections = Number(process.env.PK_BENCH_CONNECTIONS ?? 32);
const upstreamLatency = Number(process.env.PK_BENCH_LATENCY_MS ?? 0);
const chunks = Number(process.env.PK_BENCH_CHUNKS ?? 8);
const here = new URL('.', import.meta.url).pathname;

function start(command, args, env, readyPattern) {
  const child = spawn(process.execPath, [command, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${command} did not start:\n${output}`));
    }, 15_000);
    const onData = (data) => {
      output += data.toString();
      const match = readyPattern.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${command} exited ${code}:\n${output}`)));
  });
}

/** CPU time (user + system) of a process in ms, from /proc. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

async function load({ url, headers, body, duration }) {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    connections,
    duration,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  }
  return result;
}

function row(label, result, cpuPerRequest) {
  const cpu = cpuPerRequest === undefined ? '' : `  gateway CPU ${(cpuPerRequest * 1000).toFixed(0)} µs/req`;
  return `${label.padEnd(28)} ${result.requests.average.toFixed(0).padStart(7)} req/s   p50 ${String(result.latency.p50).padStart(4)} ms   p99 ${String(result.latency.p99).padStart(4)} ms${cpu}`;
}

const upstream = await start(
  `${here}mock-openai-upstream.mjs`,
  ['--latency', String(upstreamLatency), '--chunks', String(chunks)],
  {},
  /mock upstream listening on (http:\/\/\S+)/,
);
const gateway = await start(
  `${here}../dist/server.js`,
  [],
  { PORT: '0' },
  /pk gateway listening on (http:\/\/[^"\s]+)/,
).catch(async (error) => {
  upstream.child.kill();
  throw error;
});

const slowUpstream = await start(
  `${here}mock-openai-upstream.mjs`,
  ['--latency', '50', '--chunks', String(chunks)],
  {},
  /mock upstream listening on (http:\/\/\S+)/,
);

const gatewayHeaders = {
  'x-portkey-provider': 'openai',
  authorization: 'Bearer sk-bench',
  'x-portkey-custom-host': `${upstream.url}/v1`,
};
const chatBody = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'What is the capital of France?' }],
};
const slowHeaders = { ...gatewayHeaders, 'x-portkey-custom-host': `${slowUpstream.url}/v1` };
const scenarios = [
  {
    name: 'chat',
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is the capital of France?' }] },
  },
  {
    name: 'chat, streamed',
    body: {
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
    },
  },
  // A 50 ms upstream: a cache hit must cost less than passing the request through.
  { name: 'chat, 50 ms upstream, no cache', body: chatBody, upstream: slowUpstream, headers: slowHeaders },
  {
    name: 'chat, 50 ms upstream, simple cache hit',
    body: chatBody,
    upstream: slowUpstream,
    headers: {
      ...slowHeaders,
      'x-portkey-config': JSON.stringify({ cache: { mode: 'simple', max_age: 3600 } }),
    },
  },
];

console.log(
  `pk bench: ${connections} connections, ${seconds} s per run, upstream latency ${upstreamLatency} ms, ${chunks} chunks`,
);
console.log(`node ${process.version}; upstream ${upstream.url}; gateway ${gateway.url}\n`);
let failed = false;
try {
  for (const scenario of scenarios) {
    const body = JSON.stringify(scenario.body);
    const direct = `${(scenario.upstream ?? upstream).url}/v1/chat/completions`;
    const through = `${gateway.url}/v1/chat/completions`;
    const headers = scenario.headers ?? gatewayHeaders;
    await load({ url: direct, headers: { authorization: 'Bearer sk-bench' }, body, duration: 2 }); // warm-up
    await load({ url: through, headers, body, duration: 2 });
    const directResult = await load({
      url: direct,
      headers: { authorization: 'Bearer sk-bench' },
      body,
      duration: seconds,
    });
    const cpuBefore = cpuMs(gateway.child.pid);
    const gatewayResult = await load({ url: through, headers, body, duration: seconds });
    const cpuPerRequest = (cpuMs(gateway.child.pid) - cpuBefore) / gatewayResult.requests.total;
    console.log(`## ${scenario.name}`);
    console.log(row('direct to upstream', directResult));
    console.log(row('through the pk gateway', gatewayResult, cpuPerRequest));
    console.log(
      `${'added latency'.padEnd(28)}           p50 ${String(gatewayResult.latency.p50 - directResult.latency.p50).padStart(4)} ms   p99 ${String(gatewayResult.latency.p99 - directResult.latency.p99).padStart(4)} ms\n`,
    );
  }
} catch (error) {
  failed = true;
  console.error(`bench failed: ${error.message}`);
} finally {
  gateway.child.kill('SIGTERM');
  upstream.child.kill('SIGTERM');
  slowUpstream.child.kill('SIGTERM');
  await sleep(200);
}
process.exit(failed ? 1 : 0);
