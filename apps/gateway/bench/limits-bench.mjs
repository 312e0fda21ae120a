// pnpm --filter @pk/gateway bench:limits: what limits cost on the hot path. Starts the mock OpenAI
// upstream and the built gateway with PK_LIMITS_STORE=redis (the Redis at PK_REDIS_URL, default
// 127.0.0.1:6379, keys under a prefix of their own, deleted at the end) and drives, in alternating
// rounds, the same chat request through a virtual key under no limit, one with a rate limit, and
// one with a rate limit and a USD budget. Prints requests/s and gateway CPU µs per request.
// A script, not a test: the numbers depend on the machine.
//
// Env: PK_BENCH_SECONDS (per round, default 3), PK_BENCH_ROUNDS (default 2), PK_BENCH_CONNECTIONS (32).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { cpuMs, PK_NODE_FLAGS, startProcess } from './processes.mjs';

const seconds = Number(process.env.PK_BENCH_SECONDS ?? 3);
const rounds = Number(process.env.PK_BENCH_ROUNDS ?? 2);
const connections = Number(process.env.PK_BENCH_CONNECTIONS ?? 32);
const redisUrl = process.env.PK_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `pk-bench-limits:${Date.now()}-${process.pid}:`;
const here = new URL('.', import.meta.url).pathname;
const log = (line) => process.stdout.write(`${line}\n`);
const children = [];

const upstream = await startProcess(
  `${here}mock-openai-upstream.mjs`,
  ['--latency', '0', '--chunks', '8'],
  {},
  /mock upstream listening on (http:\/\/\S+)/,
);
children.push(upstream);
const directory = mkdtempSync(join(tmpdir(), 'pk-bench-limits-'));
process.on('exit', () => rmSync(directory, { recursive: true, force: true }));
const key = (extra) => ({
  provider: 'openai',
  api_key: 'sk-bench',
  options: { custom_host: `${upstream.url}/v1` },
  ...extra,
});
writeFileSync(
  join(directory, 'settings.json'),
  JSON.stringify({
    virtual_keys: {
      free: key({}),
      rate: key({ rate_limits: [{ type: 'requests', unit: 'rpm', value: 1_000_000_000 }] }),
      budget: key({
        rate_limits: [{ type: 'requests', unit: 'rpm', value: 1_000_000_000 }],
        usage_limits: { credit_limit: 1_000_000_000 },
      }),
    },
  }),
);
const pk = await startProcess(
  `${here}../dist/server.js`,
  [],
  {
    PORT: '0',
    PK_DATA_DIR: join(directory, 'data'),
    PK_SETTINGS: join(directory, 'settings.json'),
    PK_LIMITS_STORE: 'redis',
    PK_REDIS_URL: redisUrl,
    PK_LIMITS_KEY_PREFIX: prefix,
  },
  /pk gateway listening on (http:\/\/[^"\s]+)/,
  { nodeFlags: PK_NODE_FLAGS },
);
children.push(pk);

const body = JSON.stringify({
  model: 'gpt-4o-mini',
  max_tokens: 50,
  messages: [{ role: 'user', content: 'What is the capital of France?' }],
});
async function run(virtualKey) {
  const before = cpuMs(pk.child.pid);
  const result = await autocannon({
    url: `${pk.url}/v1/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-portkey-virtual-key': virtualKey },
    body,
    connections,
    duration: seconds,
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${virtualKey}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return {
    rps: result.requests.average,
    cpu: ((cpuMs(pk.child.pid) - before) * 1000) / result.requests.total,
  };
}

const scenarios = ['free', 'rate', 'budget'];
const totals = Object.fromEntries(scenarios.map((name) => [name, { rps: [], cpu: [] }]));
try {
  log(
    `limits bench: ${connections} connections, ${rounds} rounds of ${seconds} s, Redis ${redisUrl}, node ${process.version}`,
  );
  for (const name of scenarios) await run(name); // warm-up
  for (let round = 0; round < rounds; round += 1) {
    for (const name of scenarios) {
      const { rps, cpu } = await run(name);
      totals[name].rps.push(rps);
      totals[name].cpu.push(cpu);
    }
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  log('| virtual key | limits | req/s | gateway CPU µs/request |');
  log('| --- | --- | ---: | ---: |');
  const labels = { free: 'none', rate: 'requests rpm', budget: 'requests rpm + USD budget' };
  for (const name of scenarios) {
    log(
      `| ${name} | ${labels[name]} | ${median(totals[name].rps).toFixed(0)} | ${median(totals[name].cpu).toFixed(0)} |`,
    );
  }
} finally {
  for (const child of children) child.child.kill('SIGKILL');
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
}
