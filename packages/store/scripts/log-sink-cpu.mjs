// The SQLite log sink's own cost per record, without a gateway around it: the real sink (a fresh
// store in a temporary directory) is handed the bench's record (time-ordered ids and trace ids,
// `_user` metadata, one attempt) in writes of 2,500, as a gateway at a few thousand requests/s
// would; prints the writer thread's CPU per record (from /proc, Linux) and the main thread's time
// in `encode` (a tight loop over records built beforehand). Run it against a built @pk/store:
//   node scripts/log-sink-cpu.mjs                 # 100,000 records, 3 runs
//   node scripts/log-sink-cpu.mjs --records 50000 --runs 5
//   node scripts/log-sink-cpu.mjs --random-keys   # random trace ids and metadata values (see below)
// To compare two builds, run it in each checkout in turn, a few times: the machine's speed wanders.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newLogId, openStore } from '@pk/store';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index === -1 ? fallback : Number(args[index + 1]);
};
const total = option('--records', 100_000);
// Client-chosen trace ids (random UUIDs) and metadata values (a user among 100,000, a session id):
// the indexes on them take rows at random places rather than at their ends.
const randomKeys = args.includes('--random-keys');
const runs = option('--runs', 3);
// Prints the writer's cost per record of each slice of this many records (0: none), to see it grow with the log.
const progressEvery = option('--progress', 0);
const WRITE = 2500;

/** A gateway trace id: a UUID version 7 (the first 48 bits are the time in ms). */
function traceIdAt(ms) {
  const time = Math.floor(ms).toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${crypto.randomUUID().slice(15)}`;
}

function benchRecord(at) {
  const createdAt = at - 41.8;
  return {
    id: newLogId(createdAt),
    createdAt,
    tenant: 'anonymous',
    traceId: randomKeys ? crypto.randomUUID() : traceIdAt(createdAt),
    method: 'POST',
    endpoint: 'chat.completions',
    stream: false,
    provider: 'openai',
    model: 'gpt-4o-mini',
    answeredModel: 'gpt-4o-mini',
    status: 200,
    latencyMs: 41.81,
    firstByteMs: 41.53,
    overheadMs: 0.53,
    usage: {
      prompt_tokens: 12,
      completion_tokens: 9,
      total_tokens: 21,
      cached_tokens: 0,
      reasoning_tokens: 0,
    },
    cost: 0.0000072,
    costStatus: 'priced',
    cacheStatus: 'DISABLED',
    retries: 0,
    targetPath: 'config',
    metadata: randomKeys
      ? { _user: `user-${Math.floor(Math.random() * 100_000)}`, session: crypto.randomUUID() }
      : { _user: 'bench' },
    attempts: [
      { targetPath: 'config', provider: 'openai', startedAt: createdAt - 1, status: 200, latencyMs: 41 },
    ],
  };
}

/** CPU ns of one thread of this process (its scheduler statistics). */
const threadCpuNs = (tid) => Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
const threadIds = () => readdirSync('/proc/self/task').map(Number);

async function run() {
  const dataDir = mkdtempSync(join(tmpdir(), 'pk-log-sink-cpu-'));
  const store = await openStore({ dataDir, onWarning: () => undefined });
  const sink = store.openLogSink();
  try {
    const before = new Set(threadIds());
    let at = Date.now();
    // The first write starts the writer thread: the one thread that was not there before.
    await sink.write([sink.encode(benchRecord(at))]);
    const writer = threadIds().find((tid) => !before.has(tid));
    if (writer === undefined) throw new Error('the writer thread was not found');
    const writerStart = threadCpuNs(writer);
    let encodeNs = 0;
    let sliceStart = writerStart;
    for (let done = 0; done < total; done += WRITE) {
      const records = [];
      for (let index = 0; index < WRITE; index += 1) {
        at += 0.4;
        records.push(benchRecord(at));
      }
      const started = process.hrtime.bigint();
      const items = records.map((record) => sink.encode(record));
      encodeNs += Number(process.hrtime.bigint() - started);
      // Gives the thread the time to take the records in, as the gateway's flush interval does.
      await new Promise((resolve) => setTimeout(resolve, 20));
      await sink.write(items);
      const written = done + WRITE;
      if (progressEvery > 0 && written % progressEvery === 0) {
        const now = threadCpuNs(writer);
        process.stdout.write(
          `  records ${written - progressEvery}-${written}: writer thread ${((now - sliceStart) / 1000 / progressEvery).toFixed(2)} µs per record\n`,
        );
        sliceStart = now;
      }
    }
    return {
      writerUs: (threadCpuNs(writer) - writerStart) / 1000 / total,
      encodeUs: encodeNs / 1000 / total,
    };
  } finally {
    await sink.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const results = [];
for (let index = 0; index < runs; index += 1) {
  const result = await run();
  results.push(result);
  process.stdout.write(
    `run ${index + 1}/${runs}: writer thread ${result.writerUs.toFixed(2)} µs CPU per record; encode ${result.encodeUs.toFixed(2)} µs per record\n`,
  );
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
process.stdout.write(
  `median of ${runs} runs of ${total} records: writer thread ${median(results.map((r) => r.writerUs)).toFixed(2)} µs, encode ${median(results.map((r) => r.encodeUs)).toFixed(2)} µs per record\n`,
);
