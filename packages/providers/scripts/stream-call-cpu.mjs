// The CPU of one streamed chat call through `callProvider`, without a gateway or a network around
// it: the OpenAI adapter, a transport that answers at once with the 14-item stream of
// `@pk/dev-config/bench-streams` (shaped like the bench mock's: role, 10 content pieces, the finish
// chunk, the usage chunk, `[DONE]`) as a Node `Readable` like undici's body, in one read or in one
// read per item; the client's pieces read
// to the end and the usage awaited, as the gateway does. Beside it, the same `Readable` read with no
// translation at all (the floor: what iterating the body costs by itself). Run it against a built
// @pk/providers:
//   node scripts/stream-call-cpu.mjs                  # 50,000 calls per row, 3 rounds
//   node scripts/stream-call-cpu.mjs --calls 20000 --rounds 5
// To compare two builds, run it in each checkout in turn, a few times: the machine's speed wanders.
import { Readable } from 'node:stream';
import { openAIBenchStreamItems } from '@pk/dev-config/bench-streams';
import { callProvider } from '@pk/providers';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index === -1 ? fallback : Number(args[index + 1]);
};
const calls = option('--calls', 50_000);
const rounds = option('--rounds', 3);

const items = openAIBenchStreamItems();
const oneRead = [Buffer.from(items.join(''))];
const readPerItem = items.map((item) => Buffer.from(item));

const transportOf = (reads) => ({
  send: async () => ({
    status: 200,
    headers: { 'content-type': 'text/event-stream' },
    body: Readable.from(reads, { objectMode: false }),
  }),
  close: async () => {},
});
const request = {
  endpoint: 'chat.completions',
  body: {
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'What is the capital of France?' }],
    stream: true,
  },
};
const target = { provider: 'openai', api_key: 'sk-bench' };

async function streamedCall(transport) {
  const outcome = await callProvider({ target, request, transport });
  if (!outcome.ok || outcome.value.kind !== 'stream') throw new Error('the call did not stream');
  let bytes = 0;
  for await (const piece of outcome.value.stream) bytes += piece.length;
  await outcome.value.usage;
  return bytes;
}

async function bodyOnly(reads) {
  let bytes = 0;
  for await (const piece of Readable.from(reads, { objectMode: false })) bytes += piece.length;
  return bytes;
}

/** CPU µs per call of `run` (after a warm-up of a fifth as many). */
async function cpuPerCall(run) {
  for (let index = 0; index < calls / 5; index += 1) await run();
  const started = process.cpuUsage();
  for (let index = 0; index < calls; index += 1) await run();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / calls;
}

const rows = [
  ['streamed call, one read', () => streamedCall(transportOf(oneRead))],
  ['body alone, one read', () => bodyOnly(oneRead)],
  ['streamed call, a read per item', () => streamedCall(transportOf(readPerItem))],
  ['body alone, a read per item', () => bodyOnly(readPerItem)],
];
process.stdout.write(
  `stream-call-cpu: ${calls} calls per row, ${rounds} rounds, ${items.length} items (${oneRead[0].length} bytes), node ${process.version}\n`,
);
const results = new Map(rows.map(([name]) => [name, []]));
for (let round = 0; round < rounds; round += 1) {
  for (const [name, run] of rows) results.get(name).push(await cpuPerCall(run));
}
for (const [name, values] of results) {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  process.stdout.write(
    `${name.padEnd(32)} ${median.toFixed(2)} µs CPU per call (rounds: ${values.map((value) => value.toFixed(2)).join(', ')})\n`,
  );
}
