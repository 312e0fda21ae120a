// node bench/allocations.mjs [--seconds N] [--connections N] [--stream] [--cache-hit] [--bare]: the bytes
// the gateway's main thread allocates per request (garbage included), from V8's sampling heap
// profiler under the bench's saturation load (2 s warm-up, then N s, default 4, at 50 connections).
// Prints the total per request, the allocating functions, and the bytes under each of pk's own
// functions (the innermost pk frame of each allocation's stack: what pk's code asked for, directly or
// through node, fastify or undici). Unlike CPU time, the figure hardly moves with the machine's load
// (two runs of one build agree within a few per cent), so it shows what a change adds or removes.
// PK_HEAP_SAMPLE_INTERVAL sets the sampling interval in bytes (256); PK_ALLOC_TOP the rows (30).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { allocationsOf, largestPerRequest, waitForHeapSample } from './heap-sample.mjs';
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
const profile = await waitForHeapSample(sampleFile);
const exited = new Promise((resolve) => started.gateway.child.once('exit', resolve));
started.gateway.child.kill('SIGTERM');
started.upstream.child.kill('SIGTERM');
await exited;

const requests = result.requests.total;
const { total, bySelf, byPkFunction } = allocationsOf(profile);
const print = (title, map) => process.stdout.write(`${title}\n${largestPerRequest(map, requests, rows)}\n`);
const what = `${load.bare ? 'bare' : 'pk'}${load.streamed ? ' streamed' : ''}${load.cacheHit ? ' cache hit' : ''}`;
process.stdout.write(
  `${what}: ${requests} requests, ${(total / requests / 1024).toFixed(1)} KiB allocated per request on the main thread (${result.non2xx} non-2xx)\n`,
);
print('by allocating function (per request):', bySelf);
print("by pk's innermost function on the stack (per request):", byPkFunction);
rmSync(workDir, { recursive: true, force: true });
process.exit(0);
