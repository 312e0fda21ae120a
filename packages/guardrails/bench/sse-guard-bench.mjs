// CPU of one guarded stream (run after a build: node bench/sse-guard-bench.mjs): `guardSseStream` with
// the bench's output guardrail (`default.regexMatch` of `(?i)password`, deny) over the 14-item OpenAI
// stream of `@pk/dev-config/bench-streams` (as pk's gateway hands it over): in one read,
// and in a read per item. Prints µs CPU per stream (median of 9 rounds).
// `--against <dist>` compares this build with another (say a `git worktree` of the commit before,
// built: `--against ../before/packages/guardrails/dist`) in one process, rounds alternating, and
// prints the median of the rounds' after/before ratios: the machine's wandering speed (±30 % between
// runs here) cancels out of a ratio of neighbouring rounds.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openAIBenchStreamItems } from '@pk/dev-config/bench-streams';
import { compileRawHook, guardSseStream } from '../dist/index.js';

const items = openAIBenchStreamItems();
const oneRead = [Buffer.from(items.join(''))];
const readPerItem = items.map((item) => Buffer.from(item));

const compiled = compileRawHook(
  {
    id: 'bench',
    deny: true,
    checks: [{ id: 'default.regexMatch', parameters: { rule: '(?i)password', not: true } }],
  },
  { origin: 'config', segments: [], root: 'bench', guardrails: new Map(), defaultId: 'bench' },
);
if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
const options = {
  hooks: [compiled.hook],
  context: {
    requestType: 'chatComplete',
    provider: 'openai',
    metadata: {},
    request: {
      json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
      isStreamingRequest: true,
    },
  },
  services: { now: () => 0 },
  beforeResults: [],
  strictOpenAICompliance: true,
};

function sourceOf(reads) {
  return {
    async *[Symbol.asyncIterator]() {
      yield* reads;
    },
    cancel() {},
  };
}

async function guardedStream(reads, guard = guardSseStream) {
  let bytes = 0;
  for await (const piece of guard(sourceOf(reads), options)) bytes += piece.length;
  if (bytes === 0) throw new Error('nothing came out');
  return bytes;
}

async function cpuOfRound(reads, streams, guard) {
  const started = process.cpuUsage();
  for (let index = 0; index < streams; index += 1) await guardedStream(reads, guard);
  const used = process.cpuUsage(started);
  return (used.user + used.system) / streams;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function cpuPerStream(reads, streams) {
  for (let index = 0; index < streams / 5; index += 1) await guardedStream(reads);
  const rounds = [];
  for (let round = 0; round < 9; round += 1) rounds.push(await cpuOfRound(reads, streams));
  return median(rounds);
}

/** This build against `other`, in alternating rounds: the median of the rounds' after/before ratios. */
async function againstOther(reads, other, streams) {
  for (let index = 0; index < streams; index += 1) {
    await guardedStream(reads, other);
    await guardedStream(reads);
  }
  const before = [];
  const after = [];
  const ratios = [];
  for (let round = 0; round < 30; round += 1) {
    const was = await cpuOfRound(reads, streams, other);
    const is = await cpuOfRound(reads, streams);
    before.push(was);
    after.push(is);
    ratios.push(is / was);
  }
  return `before ${median(before).toFixed(1)} µs, after ${median(after).toFixed(1)} µs; after/before, median of 30 rounds ${median(ratios).toFixed(3)}`;
}

const againstAt = process.argv.indexOf('--against');
const streams = Number(process.env.PK_BENCH_STREAMS ?? (againstAt === -1 ? 2000 : 300));
console.log(
  `guarded stream: ${items.length} items (${oneRead[0].length} bytes), ${streams} streams per round, node ${process.version}`,
);
if (againstAt === -1) {
  console.log(
    `one read          ${(await cpuPerStream(oneRead, streams)).toFixed(1).padStart(7)} µs CPU per stream`,
  );
  console.log(
    `a read per item   ${(await cpuPerStream(readPerItem, streams)).toFixed(1).padStart(7)} µs CPU per stream`,
  );
} else {
  const otherDist = resolve(process.argv[againstAt + 1] ?? '', 'index.js');
  const { guardSseStream: other } = await import(pathToFileURL(otherDist).href);
  console.log(`one read          ${await againstOther(oneRead, other, streams)}`);
  console.log(`a read per item   ${await againstOther(readPerItem, other, streams)}`);
}
