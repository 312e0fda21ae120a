// How fast the console's logs view shows its first page on a big request log (issue 20): seeds the
// log store with synthetic records (default 1,000,000, the same shape as @pk/store's
// log-query-timing script: 100 `_user`s of 1 % each, 90 % of them tenant-0's), starts the BUILT
// gateway on that store, signs in to the console in headless Chromium and times, from navigation to
// the rows on screen, (a) the logs view's first page and (b) the first page of a metadata filter
// (`metadata._user=user-7`, 1 % of the records), with an admin key (every tenant) and a user key
// (tenant-0). Prints a Markdown table (median and max of 5 runs after a warm-up).
//   node scripts/console-logs-timing.mjs                       # SQLite in a temporary directory
//   node scripts/console-logs-timing.mjs --postgres postgres://postgres@127.0.0.1:5432/test
//   --records 100000   fewer records;   --keep DIR   keep (and reuse) the SQLite data directory
// Needs `pnpm build` and Chromium (PK_CHROMIUM_PATH, or chromium on the PATH).
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateMasterKey, openStore } from '@pk/store';
import { createTemporaryDatabase, seedRequestLogs } from '@pk/store/testing';
import { chromium } from 'playwright-core';
import { findChromium, startGatewayOn } from './timing-support.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index === -1 ? fallback : args[index + 1];
};
const records = Number(option('--records', '1000000'));
const postgres = option('--postgres', undefined);
const keep = option('--keep', undefined);
const log = (line) => process.stdout.write(`${line}\n`);

let dataDir;
let databaseUrl;
let masterKey;
let dropDatabase = async () => {};
if (postgres) {
  const database = await createTemporaryDatabase(postgres);
  databaseUrl = database.url;
  masterKey = generateMasterKey();
  dropDatabase = () => database.drop();
} else {
  dataDir = keep ?? mkdtempSync(join(tmpdir(), 'pk-console-timing-'));
}

const store = await openStore({ dataDir, databaseUrl, masterKey, serve: false, onWarning: () => undefined });
let adminKey;
let userKey;
try {
  if ((await store.logs.list({ limit: 1 })).records.length === 0) {
    const seconds = await seedRequestLogs(store, records);
    log(`seeded ${records} records on ${store.engine} in ${seconds.toFixed(1)} s`);
  }
  adminKey = (await store.gatewayKeys.create({ name: `timing admin ${Date.now()}`, role: 'admin' }, 'cli'))
    .secret;
  userKey = (await store.gatewayKeys.create({ name: `timing user ${Date.now()}`, tenant: 'tenant-0' }, 'cli'))
    .secret;
} finally {
  await store.close();
}

const started = await startGatewayOn({ dataDir, databaseUrl, masterKey, timeoutMs: 20_000 });
const server = started.child;
const url = started.url;

const browser = await chromium.launch({
  executablePath: findChromium(),
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
try {
  log(`| engine | key | view | rows on screen | median ms | max ms |`);
  log('| --- | --- | --- | --- | --- | --- |');
  for (const [who, key] of [
    ['admin', adminKey],
    ['user (tenant-0)', userKey],
  ]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${url}/console/logs`);
    await page.getByLabel('Gateway key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    for (const [name, path] of [
      ['logs, first page', '/console/logs'],
      ['metadata._user=user-7 (1 %), first page', '/console/logs?metadata._user=user-7'],
    ]) {
      const times = [];
      let rows = 0;
      for (let run = 0; run < 6; run += 1) {
        await page.goto('about:blank');
        const started = performance.now();
        await page.goto(`${url}${path}`);
        await page.locator('table.data tbody tr:not(.spacer)').first().waitFor({ timeout: 30_000 });
        if (run > 0) times.push(performance.now() - started);
        rows = await page.locator('table.data tbody tr:not(.spacer)').count();
      }
      times.sort((a, b) => a - b);
      log(
        `| ${postgres ? 'postgres' : 'sqlite'} | ${who} | ${name} | ${rows} | ${times[2].toFixed(0)} | ${times[4].toFixed(0)} |`,
      );
    }
    await context.close();
  }
} finally {
  await browser.close();
  server.kill('SIGTERM');
  await once(server, 'exit');
  await dropDatabase();
  if (dataDir && !keep) rmSync(dataDir, { recursive: true, force: true });
}
