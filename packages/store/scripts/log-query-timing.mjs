// Seeds the request log with synthetic records (default 1,000,000) through the store's own batched
// writer, then times the logs API's queries on it: the first page of 50 for a metadata filter that
// matches 1 % of the records (`metadata._user=user-7`, served by the log row's user index, and
// `metadata.session=session-7`, by the metadata table's), a tenant's newest page, a trace, a page
// with a status filter, the failed requests and an error code; then the analytics of rescued
// requests and feedback. Run it against a built @pk/store:
//   node scripts/log-query-timing.mjs                      # SQLite in a temporary directory
//   node scripts/log-query-timing.mjs --postgres postgres://postgres@127.0.0.1:5432/test   (a database of its own)
//   --records 100000   fewer records;   --keep DIR   keep (and reuse) the SQLite data directory;
//   --keep-database    keep the PostgreSQL database (its URL is printed) to explain queries by hand
//   --tenants 200      records spread over that many tenants in turn (default: 90 % tenant-0, the
//                      rest tenant-1), for the admin key's rows, which read a page per tenant
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateMasterKey, openStore } from '@pk/store';
import { createTemporaryDatabase, seedRequestLogs } from '@pk/store/testing';
import { sql } from 'kysely';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index === -1 ? fallback : args[index + 1];
};
const records = Number(option('--records', '1000000'));
const postgres = option('--postgres', undefined);
const keep = option('--keep', undefined);
const tenants = option('--tenants', undefined);
const log = (line) => process.stdout.write(`${line}\n`);

let dataDir;
let databaseUrl;
let dropDatabase = async () => {};
if (postgres) {
  // A database of its own, created here and dropped at the end.
  const database = await createTemporaryDatabase(postgres);
  databaseUrl = database.url;
  if (args.includes('--keep-database')) log(`database kept: ${database.url}`);
  else dropDatabase = () => database.drop();
} else {
  dataDir = keep ?? mkdtempSync(join(tmpdir(), 'pk-log-timing-'));
}
const store = await openStore({
  dataDir,
  databaseUrl,
  masterKey: postgres ? generateMasterKey() : undefined,
  serve: false,
  onWarning: () => undefined,
});
try {
  const existing = (await store.logs.list({ tenant: 'tenant-0', limit: 1 })).records.length;
  if (existing === 0) {
    const seconds = await seedRequestLogs(store, records, tenants ? { tenants: Number(tenants) } : {});
    log(
      `seeded ${records} records on ${store.engine} in ${seconds.toFixed(1)} s (${Math.round(records / seconds)} records/s)`,
    );
    // PostgreSQL plans with statistics; autovacuum gathers them after a bulk load like this one.
    if (store.engine === 'postgres') await sql`analyze`.execute(store.db);
  } else {
    log(`reusing the records already in ${dataDir}`);
  }
  const time = async (name, run) => {
    await run(); // warm
    const times = [];
    let count = 0;
    for (let index = 0; index < 15; index += 1) {
      const started = performance.now();
      count = await run();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    log(`| ${store.engine} | ${name} | ${count} | ${times[7].toFixed(1)} | ${times[14].toFixed(1)} |`);
  };
  log('| engine | query | rows | median ms | max ms |');
  log('| --- | --- | --- | --- | --- |');
  await time(
    'first page of 50, metadata._user=user-7 (1 %)',
    async () =>
      (await store.logs.list({ tenant: 'tenant-0', metadata: [['_user', 'user-7']], limit: 50 })).records
        .length,
  );
  await time('second page of the same (cursor)', async () => {
    const first = await store.logs.list({ tenant: 'tenant-0', metadata: [['_user', 'user-7']], limit: 50 });
    return (
      await store.logs.list({
        tenant: 'tenant-0',
        metadata: [['_user', 'user-7']],
        limit: 50,
        cursor: first.nextCursor ?? undefined,
      })
    ).records.length;
  });
  await time(
    'first page of 50, metadata.session=session-7 (1 %)',
    async () =>
      (await store.logs.list({ tenant: 'tenant-0', metadata: [['session', 'session-7']], limit: 50 })).records
        .length,
  );
  await time(
    'admin key (every tenant): metadata.session=session-7, first 50',
    async () => (await store.logs.list({ metadata: [['session', 'session-7']], limit: 50 })).records.length,
  );
  await time('admin key (every tenant): second page of the same (cursor)', async () => {
    const first = await store.logs.list({ metadata: [['session', 'session-7']], limit: 50 });
    return (
      await store.logs.list({
        metadata: [['session', 'session-7']],
        limit: 50,
        cursor: first.nextCursor ?? undefined,
      })
    ).records.length;
  });
  await time(
    'metadata._user=user-7 and metadata.team=team-0',
    async () =>
      (
        await store.logs.list({
          tenant: 'tenant-0',
          metadata: [
            ['_user', 'user-7'],
            ['team', 'team-0'],
          ],
          limit: 50,
        })
      ).records.length,
  );
  await time(
    'admin key (every tenant): metadata._user=user-7, first 50',
    async () => (await store.logs.list({ metadata: [['_user', 'user-7']], limit: 50 })).records.length,
  );
  await time(
    'a tenant’s newest 50',
    async () => (await store.logs.list({ tenant: 'tenant-0', limit: 50 })).records.length,
  );
  await time(
    'status=503, first 50',
    async () => (await store.logs.list({ tenant: 'tenant-0', status: 503, limit: 50 })).records.length,
  );
  await time(
    'failed=true (2.1 %), first 50',
    async () => (await store.logs.list({ tenant: 'tenant-0', failed: true, limit: 50 })).records.length,
  );
  await time(
    'error_code=PK_ERR_STREAM_INTERRUPTED (0.1 %), first 50',
    async () =>
      (await store.logs.list({ tenant: 'tenant-0', errorCode: 'PK_ERR_STREAM_INTERRUPTED', limit: 50 }))
        .records.length,
  );
  await time('a trace', async () => (await store.logs.trace('trace-12345', 'tenant-0')).length);
  // Portkey's analytics beyond the summary, over the whole log: rescued requests per hour (the seeded
  // records have one attempt each, so none has its attempts read), and feedback (10,000 pieces on the
  // tenant's traces) per hour, narrowed by its traces' records, and by model.
  const range = { tenant: 'tenant-0', from: 0, to: Date.now() + 1, bucketMs: 3_600_000 };
  await time('rescued requests per hour, every record', async () => (await store.logs.rescued(range)).length);
  const feedbackCount = (await store.feedback.listByTrace('trace-0', 'tenant-0')).length;
  if (feedbackCount === 0)
    for (let start = 0; start < 10_000; start += 1000)
      await store.feedback.create(
        Array.from({ length: 1000 }, (_, index) => ({
          traceId: `trace-${(start + index) * 7}`,
          value: ((start + index) % 21) - 10,
          tenant: 'tenant-0',
          gatewayKeyId: null,
        })),
      );
  // The feedback was given just now: a range that ends after it.
  const given = { ...range, to: Date.now() + 60_000 };
  await time(
    'feedback per hour, 10,000 pieces',
    async () => (await store.logs.feedbackSummary(given)).length,
  );
  await time(
    'feedback per hour on traces with a metadata.team=team-0 record',
    async () =>
      (await store.logs.feedbackSummary({ ...given, filter: { metadata: [['team', 'team-0']] } })).length,
  );
  await time(
    'feedback by model, 10,000 pieces joined to their traces’ records',
    async () =>
      (await store.logs.feedbackSummary({ ...given, bucketMs: given.to + 1, groupBy: 'model' })).length,
  );
} finally {
  await store.close();
  await dropDatabase();
  if (dataDir && !keep) rmSync(dataDir, { recursive: true, force: true });
}
