// The request log store under load, through the built gateway (not a synthetic writer): a paced
// stream of chat requests against a mock upstream, then a count of the records stored.
//   node scripts/log-soak.mjs                       # SQLite, 200 req/s for 5 s
//   node scripts/log-soak.mjs --full                # 1,000 req/s for 60 s
//   node scripts/log-soak.mjs --engine postgres     # PostgreSQL (a database of its own, dropped after)
//   node scripts/log-soak.mjs --fault               # the store fails from 1/3 to 2/3 of the run:
//        PostgreSQL through a TCP proxy that is cut; SQLite's file made read-only (chmod 0444)
// Checks: every request answered 200; without --fault every record stored (no drop) and the queue
// bounded; with --fault drops counted (the gateway's warnings), and records written again after the
// store is back, without a restart. Exits 1 when a check fails. Needs `pnpm build`.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateMasterKey, openStore } from '@pk/store';
import { createTcpProxy, createTemporaryDatabase } from '@pk/store/testing';
import { pacedLoad } from '../bench/paced-load.mjs';
import { startProcess } from '../bench/processes.mjs';
import { PK_NODE_FLAGS } from '../bench/start-flags.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index === -1 ? fallback : args[index + 1];
};
const full = args.includes('--full');
const fault = args.includes('--fault');
const engine = option('--engine', 'sqlite');
const rate = Number(option('--rate', full ? '1000' : '200'));
const seconds = Number(option('--seconds', full ? '60' : '5'));
const postgresUrl = option('--postgres', 'postgres://postgres@127.0.0.1:5432/test');
const here = new URL('.', import.meta.url).pathname;
const log = (line) => process.stdout.write(`${line}\n`);
const cleanups = [];
let failed = false;
const check = (ok, message) => {
  log(`${ok ? 'ok  ' : 'FAIL'} ${message}`);
  if (!ok) failed = true;
};

const upstream = await startProcess(
  `${here}../bench/mock-openai-upstream.mjs`,
  ['--latency', '0', '--chunks', '4'],
  {},
  /mock upstream listening on (http:\/\/\S+)/,
);
cleanups.push(async () => upstream.child.kill());
const dataDir = mkdtempSync(join(tmpdir(), 'pk-log-soak-'));
cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
const masterKey = generateMasterKey();
const env = {
  PATH: process.env.PATH,
  PORT: '0',
  PK_DATA_DIR: dataDir,
  PK_LOG_LEVEL: 'info',
  PK_MASTER_KEY: 'env:PK_SOAK_MASTER',
  PK_SOAK_MASTER: masterKey,
  // Under a fault, a queue of 1.5 s of requests (more than one flush interval, less than the third
  // of the run the store is down) shows drops being counted within a short run.
  ...(fault ? { PK_LOG_QUEUE_SIZE: String(Math.max(100, Math.floor(rate * 1.5))) } : {}),
};
let proxy;
let storeUrl;
if (engine === 'postgres') {
  const database = await createTemporaryDatabase(postgresUrl);
  cleanups.push(async () => database.drop());
  const url = new URL(database.url);
  storeUrl = database.url;
  proxy = await createTcpProxy(url.hostname, Number(url.port || 5432));
  cleanups.push(async () => proxy.close());
  const viaProxy = new URL(storeUrl);
  viaProxy.port = String(proxy.port);
  env.PK_DATABASE_URL = viaProxy.toString();
}

// The gateway, its output kept for the log store's warnings.
const gateway = spawn(process.execPath, [...PK_NODE_FLAGS, `${here}../dist/server.js`], {
  env,
  stdio: ['ignore', 'pipe', 'pipe'],
});
cleanups.push(async () => {
  gateway.kill('SIGTERM');
  await new Promise((resolve) => gateway.once('exit', resolve));
});
const warnings = [];
let output = '';
const gatewayUrl = await new Promise((resolve, reject) => {
  const onData = (data) => {
    const text = data.toString();
    for (const line of text.split('\n')) if (line.includes('request log')) warnings.push(line);
    if (output.length < 100_000) output += text;
    const match = /pk gateway listening on (http:\/\/[^"\s]+)/.exec(output);
    if (match) resolve(match[1]);
  };
  gateway.stdout.on('data', onData);
  gateway.stderr.on('data', onData);
  gateway.once('exit', (code) => reject(new Error(`the gateway exited ${code}:\n${output}`)));
});

const count = async () => {
  const store = await openStore({
    dataDir,
    databaseUrl: storeUrl,
    masterKey,
    serve: false,
    onWarning: () => undefined,
  });
  try {
    const row = await store.db
      .selectFrom('request_logs')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.max('created_at').as('last')])
      .executeTakeFirstOrThrow();
    return { rows: Number(row.n), last: Number(row.last ?? 0) };
  } finally {
    await store.close();
  }
};

try {
  const total = rate * seconds;
  log(
    `log soak: ${engine}, ${rate} req/s for ${seconds} s (${total} requests)${fault ? ', store failing from 1/3 to 2/3' : ''}`,
  );
  let restoredAt = 0;
  const timers = [];
  if (fault) {
    const dbFile = join(dataDir, 'pk.db');
    timers.push(
      setTimeout(
        () => {
          log(`  t=${(seconds / 3).toFixed(1)} s: store down`);
          if (proxy) proxy.cut();
          else chmodSync(dbFile, 0o444);
        },
        (seconds * 1000) / 3,
      ),
      setTimeout(
        () => {
          log(`  t=${((2 * seconds) / 3).toFixed(1)} s: store back`);
          restoredAt = Date.now();
          if (proxy) proxy.restore();
          else chmodSync(dbFile, 0o600);
        },
        (seconds * 2000) / 3,
      ),
    );
  }
  const run = await pacedLoad({
    url: `${gatewayUrl}/v1/chat/completions`,
    headers: {
      'content-type': 'application/json',
      'x-portkey-provider': 'openai',
      authorization: 'Bearer sk-soak',
      'x-portkey-custom-host': `${upstream.url}/v1`,
      'x-portkey-metadata': JSON.stringify({ _user: 'soak' }),
    },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] }),
    ratePerSecond: rate,
    count: total,
    check: (text) => text.includes('chat.completion'),
  });
  for (const timer of timers) clearTimeout(timer);
  check(run.failures === 0, `every request answered 200 (${total - run.failures}/${total})`);
  log(
    `  latency p50 ${run.latencies[Math.floor(run.latencies.length / 2)]?.toFixed(2)} ms, p99 ${run.latencies[Math.floor(run.latencies.length * 0.99)]?.toFixed(2)} ms`,
  );
  // The writer flushes every second (and retries a refused batch at the next flush).
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const stored = await count();
  const dropped = warnings
    .map((line) => /dropped (\d+) request log/.exec(line)?.[1])
    .filter(Boolean)
    .reduce((sum, value) => sum + Number(value), 0);
  log(
    `  records stored ${stored.rows}; drop warnings ${warnings.filter((line) => line.includes('dropped')).length} (${dropped}+ records dropped); refused batches warned ${warnings.filter((line) => line.includes('refused')).length}`,
  );
  if (!fault) {
    check(stored.rows === total, `no drop: every request has its record (${stored.rows}/${total})`);
    check(!warnings.some((line) => line.includes('dropped')), 'no drop warning');
  } else {
    check(
      warnings.some((line) => line.includes('refused') || line.includes('dropped')),
      'the failing store was noticed and warned about',
    );
    check(
      stored.rows < total && stored.rows > 0,
      `drops counted: ${total - stored.rows} records lost while the store was down`,
    );
    check(
      stored.last >= restoredAt - 2000,
      'records written again after the store came back, without a restart',
    );
  }
} catch (error) {
  failed = true;
  log(`log soak failed: ${error.message}`);
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
}
process.exit(failed ? 1 : 0);
