// How fast the analytics answer on a big request log: seeds the log store with synthetic records
// (default 1,000,000, the shape of console-logs-timing.mjs and @pk/store's log-query-timing script:
// one every 100 ms, so the last 24 hours hold ~864,000 of them; 100 `_user`s of 1 % each, 101
// sessions of ~1 %, 90 % tenant-0) and 10,000 pieces of feedback on tenant-0's traces, starts the
// BUILT gateway on that store and times, through HTTP with an admin key (every tenant), each
// analytics call of the console's analytics view for its default period (the last 24 hours) and a
// few more of Portkey's graphs and groups: as they are, narrowed to a `_user` (`user-7`, 1 %) and to
// a metadata value (`session=session-7`, ~1 %). Then, with `--console`, the console's analytics view
// in headless Chromium, from navigation to its totals on screen. Prints a Markdown table (median and
// max of 5 runs after a warm-up).
//   nice node scripts/analytics-timing.mjs                       # SQLite in a temporary directory
//   nice node scripts/analytics-timing.mjs --postgres postgres://postgres@127.0.0.1:5432/test
//   --records 100000   fewer records;   --keep DIR   keep (and reuse) the SQLite data directory
//   --only A,B         only the calls whose name contains A or B;   --console   also time the view
//   --keep-database    keep the PostgreSQL database (its URL and master key are printed), to explain
//                      queries by hand or time again with PK_MASTER_KEY=… --database URL
// Needs `pnpm build` (and, with --console, Chromium: PK_CHROMIUM_PATH, or chromium on the PATH).
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateMasterKey, openStore } from '@pk/store';
import { createTemporaryDatabase, seedRequestLogs } from '@pk/store/testing';
import { sql } from 'kysely';
import { findChromium, startGatewayOn } from './timing-support.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index === -1 ? fallback : args[index + 1];
};
const records = Number(option('--records', '1000000'));
const postgres = option('--postgres', undefined);
const keep = option('--keep', undefined);
const only = option('--only', undefined);
const log = (line) => process.stdout.write(`${line}\n`);

let dataDir;
let databaseUrl;
let masterKey;
let dropDatabase = async () => {};
const reuse = option('--database', undefined);
if (reuse) {
  // A database kept by an earlier run (with its master key), reused as it is and kept.
  databaseUrl = reuse;
  masterKey = process.env.PK_MASTER_KEY;
} else if (postgres) {
  // A database of its own, created here and dropped at the end.
  const database = await createTemporaryDatabase(postgres);
  databaseUrl = database.url;
  masterKey = generateMasterKey();
  if (args.includes('--keep-database'))
    log(
      `database kept: PK_MASTER_KEY=${masterKey} node scripts/analytics-timing.mjs --database ${database.url}`,
    );
  else dropDatabase = () => database.drop();
} else {
  dataDir = keep ?? mkdtempSync(join(tmpdir(), 'pk-analytics-timing-'));
}

let server;
try {
  const store = await openStore({
    dataDir,
    databaseUrl,
    masterKey,
    serve: false,
    onWarning: () => undefined,
  });
  let adminKey;
  try {
    if ((await store.logs.list({ limit: 1 })).records.length === 0) {
      const seconds = await seedRequestLogs(store, records);
      log(`seeded ${records} records on ${store.engine} in ${seconds.toFixed(1)} s`);
      // 10,000 pieces of feedback on tenant-0's traces, given now (inside the default period).
      for (let start = 0; start < 10_000; start += 1000)
        await store.feedback.create(
          Array.from({ length: 1000 }, (_, index) => ({
            traceId: `trace-${(start + index) * 7}`,
            value: ((start + index) % 21) - 10,
            tenant: 'tenant-0',
            gatewayKeyId: null,
          })),
        );
      // PostgreSQL plans with statistics; autovacuum gathers them after a bulk load like this one.
      if (store.engine === 'postgres') await sql`analyze`.execute(store.db);
    } else {
      log(`reusing the records already in ${dataDir ?? 'the database'}`);
    }
    adminKey = (await store.gatewayKeys.create({ name: `timing admin ${Date.now()}`, role: 'admin' }, 'cli'))
      .secret;
  } finally {
    await store.close();
  }

  const started = await startGatewayOn({ dataDir, databaseUrl, masterKey, timeoutMs: 60_000 });
  server = started.child;
  const url = started.url;

  // The console's default period, as its analytics view asks for it.
  const to = new Date();
  const from = new Date(to.getTime() - 24 * 3600_000);
  const period = `time_of_generation_min=${from.toISOString()}&time_of_generation_max=${to.toISOString()}`;
  const filters = [
    ['', '', ''],
    ['`_user`=user-7', '&metadata._user=user-7', `&metadata=${encodeURIComponent('{"_user":"user-7"}')}`],
    [
      'session=session-7',
      '&metadata.session=session-7',
      `&metadata=${encodeURIComponent('{"session":"session-7"}')}`,
    ],
  ];
  // [name, path with the summary's filter spelling, or with Portkey's (graphs, groups)]
  const calls = [
    [
      'console: summary by model',
      (f) => `/v1/analytics/summary?group_by=model&from=${from.toISOString()}${f[1]}`,
    ],
    ['console: summary/cache', (f) => `/v1/analytics/summary/cache?${period}${f[2]}`],
    ['console: graphs/requests/rescued', (f) => `/v1/analytics/graphs/requests/rescued?${period}${f[2]}`],
    ['console: graphs/feedbacks', (f) => `/v1/analytics/graphs/feedbacks?${period}${f[2]}`],
    ['console: graphs/feedbacks/weighted', (f) => `/v1/analytics/graphs/feedbacks/weighted?${period}${f[2]}`],
    [
      'graphs/requests (as cost, tokens, users, errors)',
      (f) => `/v1/analytics/graphs/requests?${period}${f[2]}`,
    ],
    ['graphs/latency (p50 … p99)', (f) => `/v1/analytics/graphs/latency?${period}${f[2]}`],
    ['graphs/errors/status-codes', (f) => `/v1/analytics/graphs/errors/status-codes?${period}${f[2]}`],
    ['groups/users', (f) => `/v1/analytics/groups/users?${period}${f[2]}`],
    ['groups/metadata/team', (f) => `/v1/analytics/groups/metadata/team?${period}${f[2]}`],
  ];
  const engine = databaseUrl ? 'postgres' : 'sqlite';
  log('| engine | call (last 24 h) | filter | median ms | max ms |');
  log('| --- | --- | --- | --- | --- |');
  for (const [name, path] of calls) {
    if (only !== undefined && !only.split(',').some((part) => name.includes(part))) continue;
    for (const filter of filters) {
      const times = [];
      for (let run = 0; run < 6; run += 1) {
        const started = performance.now();
        const response = await fetch(`${url}${path(filter)}`, { headers: { 'x-portkey-api-key': adminKey } });
        const body = await response.text();
        if (!response.ok) throw new Error(`${path(filter)}: ${response.status} ${body}`);
        if (run > 0) times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      log(`| ${engine} | ${name} | ${filter[0] || '—'} | ${times[2].toFixed(0)} | ${times[4].toFixed(0)} |`);
    }
  }

  if (args.includes('--console')) {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: findChromium(),
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
    try {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${url}/console/analytics`);
      await page.getByLabel('Gateway key').fill(adminKey);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Views' }).waitFor();
      const times = [];
      for (let run = 0; run < 6; run += 1) {
        await page.goto('about:blank');
        const started = performance.now();
        await page.goto(`${url}/console/analytics`);
        // The totals by model, and every outcome (cache, rescued, feedback) answered.
        await page.locator('table.data tbody tr').first().waitFor({ timeout: 120_000 });
        await page.waitForFunction(
          () => !/Loading/i.test(document.querySelector('main')?.textContent ?? ''),
          null,
          {
            timeout: 120_000,
          },
        );
        if (run > 0) times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      log(
        `| ${engine} | console analytics view, all on screen | — | ${times[2].toFixed(0)} | ${times[4].toFixed(0)} |`,
      );
    } finally {
      await browser.close();
    }
  }
} finally {
  if (server && server.exitCode === null && server.signalCode === null) {
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
  await dropDatabase();
  if (dataDir && !keep) rmSync(dataDir, { recursive: true, force: true });
}
