// node bench/allocations.mjs [--seconds N] [--connections N] [--stream] [--cache-hit] [--bare]: the bytes
// the gateway's main thread allocates per request (garbage included), from V8's sampling heap
// profiler under the bench's saturation load (2 s warm-up, then N s, default 4, at 50 connections).
// Prints the total per request, the allocating functions, and the bytes under each of pk's own
// functions (the innermost pk frame of each allocation's stack: what pk's code asked for, directly or
// through node, fastify or undici). Unlike CPU time, the figure hardly moves with the machine's load
// (two runs of one build agree within a few per cent), so it shows what a change adds or removes.
// PK_HEAP_SAMPLE_INTERVAL sets the sampling interval in bytes (256); PK_ALLOC_TOP the rows (30).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadOptionsFromArgv, startUnderLoad } from './processes.mjs';

const load = loadOptionsFromArgv(process.argv, { seconds: 4 });
const rows = Number(process.env.PK_ALLOC_TOP ?? 30);
const here = new URL('.', import.meta.url).pathname;
const workDir = mkdtempSync(join(tmpdir(), 'pk-allocations-'));
const sampleFile = join(workDir, 'heap.json');
const started = await startUnderLoad({
  ...load,
  nodeFlags: ['-r', `${here}heap-sampler.cjs`],
  env: { PK_HEAP_SAMPLE_FILE: sampleFile },
  dataDir: workDir,
});
await started.load(2);
process.kill(started.gateway.child.pid, 'SIGUSR2');
await sleep(200);
const result = await started.load(load.seconds);
process.kill(started.gateway.child.pid, 'SIGUSR2');
let profile;
for (let waited = 0; profile === undefined && waited < 100; waited += 1) {
  await sleep(100);
  try {
    profile = JSON.parse(readFileSync(sampleFile, 'utf8'));
  } catch {
    // not written yet
  }
}
const exited = new Promise((resolve) => started.gateway.child.once('exit', resolve));
started.gateway.child.kill('SIGTERM');
started.upstream.child.kill('SIGTERM');
await exited;
if (profile === undefined) throw new Error('the gateway wrote no heap sample');

const requests = result.requests.total;
const isPkCode = (url) => /\/(packages\/[^/]+|apps\/gateway)\/dist\//.test(url);
const nameOf = ({ functionName, url, lineNumber }) =>
  `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(packages|apps)\//, '$1/')}:${lineNumber + 1}`;
const bySelf = new Map();
const byPkFrame = new Map();
let total = 0;
const add = (map, key, bytes) => map.set(key, (map.get(key) ?? 0) + bytes);
const visit = (node, innermostPk) => {
  const frame = node.callFrame;
  const pk = isPkCode(frame.url) ? nameOf(frame) : innermostPk;
  if (node.selfSize > 0) {
    total += node.selfSize;
    add(bySelf, nameOf(frame), node.selfSize);
    add(byPkFrame, pk ?? '(no pk function on the stack)', node.selfSize);
  }
  for (const child of node.children) visit(child, pk);
};
visit(profile.head, undefined);
const print = (title, map) => {
  process.stdout.write(`${title}\n`);
  for (const [name, bytes] of [...map].sort((left, right) => right[1] - left[1]).slice(0, rows))
    process.stdout.write(`${(bytes / requests).toFixed(0).padStart(7)} B  ${name}\n`);
};
const what = `${load.bare ? 'bare' : 'pk'}${load.streamed ? ' streamed' : ''}${load.cacheHit ? ' cache hit' : ''}`;
process.stdout.write(
  `${what}: ${requests} requests, ${(total / requests / 1024).toFixed(1)} KiB allocated per request on the main thread (${result.non2xx} non-2xx)\n`,
);
print('by allocating function (per request):', bySelf);
print("by pk's innermost function on the stack (per request):", byPkFrame);
rmSync(workDir, { recursive: true, force: true });
process.exit(0);
