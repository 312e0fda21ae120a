// node bench/instructions.mjs [--bare] [--stream] [--cache-hit] [--warm N] [--requests N]
//   [--env NAME=value,...] [--profile DIR]
// Instructions per request, counted by valgrind's callgrind (CPU instructions executed in user space,
// whatever else the machine is doing): the built gateway (as `pnpm start` runs it, embedded defaults)
// or the bench's bare proxy (`--bare`) under valgrind, `--warm` requests (6000) to let the JIT settle,
// the counters zeroed, then `--requests` more (1000) at 10 connections; prints the total per request
// and each thread's share. Runs of one build differ by up to ~8 % on the main thread when no full
// collection falls into the counted requests, whatever the machine's load (CPU time moves by ±15 %);
// V8's compiler threads (#3 to #6) vary more. Under valgrind V8 runs full (mark-compact) collections
// far more often than at full speed, and a run with them in its counted requests reads +20-40 % on
// the main thread (591k against 412k per request in one pair, 182k of it in
// `MarkCompactCollector::CollectGarbage`): compare builds over several runs each, or with `--profile`
// subtract `Heap::PerformGarbageCollection` (`callgrind_annotate --inclusive=yes`). Instructions are
// not time: system calls and cache misses are not counted. About 4 minutes for pk, 2 for the bare
// proxy. Needs `valgrind` and `callgrind_control` on the PATH.
// `--cache-hit` sends the bench's simple-cache config (`x-portkey-config` with a root `cache`): after the
// first request every one is a hit, as in the bench's cache-hit row.
// `--profile DIR` keeps the callgrind files in DIR, with callers 4 deep and node's JIT symbol map
// (`--perf-basic-prof`) beside them as perf.map: `callgrind_annotate --inclusive=yes DIR/callgrind.out-01`
// then shows which JS functions (addresses looked up in perf.map) send work into V8's runtime.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PK_NODE_FLAGS, SIMPLE_CACHE_HEADERS, saturateChat, startProcess } from './processes.mjs';

const argument = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : process.argv[index + 1];
};
const useBare = process.argv.includes('--bare');
const streamed = process.argv.includes('--stream');
const cacheHit = process.argv.includes('--cache-hit');
const profileDir = argument('profile', undefined);
const warm = Number(argument('warm', 6000));
const measured = Number(argument('requests', 1000));
const extraEnv = Object.fromEntries(
  argument('env', '')
    .split(',')
    .filter(Boolean)
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);
for (const tool of ['valgrind', 'callgrind_control']) {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
  } catch {
    process.stderr.write(`instructions: ${tool} is not on the PATH (apt-get install valgrind)\n`);
    process.exit(2);
  }
}

const here = new URL('.', import.meta.url).pathname;
const upstream = await startProcess(`${here}mock-openai-upstream.mjs`, [], {}, /listening on (http:\/\/\S+)/);
const outDir = mkdtempSync(join(tmpdir(), 'pk-callgrind-'));
const dataDir = mkdtempSync(join(tmpdir(), 'pk-callgrind-data-'));
const cleanUp = () => {
  upstream.child.kill('SIGKILL');
  rmSync(outDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
};
const gateway = await startProcess(
  useBare ? `${here}bare-proxy.mjs` : `${here}../dist/server.js`,
  [],
  { PORT: '0', PK_DATA_DIR: dataDir, ...extraEnv },
  useBare ? /listening on (http:\/\/\S+)/ : /pk gateway listening on (http:\/\/[^"\s]+)/,
  {
    launcher: [
      'valgrind',
      '--tool=callgrind',
      '--separate-threads=yes',
      ...(profileDir ? ['--separate-callers=4'] : []),
      `--callgrind-out-file=${join(outDir, 'callgrind.out')}`,
    ],
    nodeFlags: [...(useBare ? [] : PK_NODE_FLAGS), ...(profileDir ? ['--perf-basic-prof'] : [])],
    // `--perf-basic-prof` also makes V8 write an isolate-*-v8.log per isolate into the working
    // directory: the temp folder's, kept with the callgrind files.
    cwd: outDir,
    // Start-up under valgrind takes ~20 s.
    timeoutMs: 180_000,
  },
).catch((error) => {
  cleanUp();
  throw error;
});

// The bench's request, by count instead of by time: valgrind runs ~50x slower.
const load = (amount) =>
  saturateChat({
    gatewayUrl: gateway.url,
    upstreamUrl: upstream.url,
    connections: 10,
    amount,
    streamed,
    headers: cacheHit ? SIMPLE_CACHE_HEADERS : {},
  });

process.stderr.write(`instructions: ${warm} warm-up requests under valgrind (a few minutes)...\n`);
const warmed = await load(warm);
execFileSync('callgrind_control', ['--zero', String(gateway.child.pid)], { stdio: 'ignore' });
process.stderr.write(`instructions: ${measured} counted requests...\n`);
const result = await load(measured);
// The log writer commits each second: its work for the counted requests falls inside the count.
await sleep(1500);
execFileSync('callgrind_control', ['--dump', String(gateway.child.pid)], { stdio: 'ignore' });
await sleep(2000);
const failed = warmed.non2xx + warmed.errors + result.non2xx + result.errors;
// autocannon counts a request it gave up on (10 s) as an error and a timeout.
const failures =
  `${failed} failed: ${warmed.non2xx + result.non2xx} non-2xx, ${warmed.timeouts + result.timeouts} timed out` +
  ` (${warmed.timeouts} in the warm-up)`;

const threads = [];
for (const name of readdirSync(outDir)) {
  const text = readFileSync(join(outDir, name), 'utf8');
  // The dump after the counters were zeroed is part 1; part 0 (if any) is the warm-up.
  if (/^part: (\d+)/m.exec(text)?.[1] !== '1') continue;
  const total = Number(/^(?:summary|totals): (\d+)/m.exec(text)?.[1] ?? 0);
  threads.push({ thread: Number(/-(\d+)$/.exec(name)?.[1] ?? 0), perRequest: total / result.requests.total });
}
gateway.child.kill('SIGKILL');
if (profileDir) {
  cpSync(outDir, profileDir, { recursive: true });
  copyFileSync(`/tmp/perf-${gateway.child.pid}.map`, join(profileDir, 'perf.map'));
  rmSync(`/tmp/perf-${gateway.child.pid}.map`, { force: true });
  process.stderr.write(`instructions: callgrind files and perf.map kept in ${profileDir}\n`);
}
cleanUp();
threads.sort((a, b) => b.perRequest - a.perRequest);
const total = threads.reduce((sum, thread) => sum + thread.perRequest, 0);
const kilo = (value) => `${(value / 1000).toFixed(1)}k`;
process.stdout.write(
  `${useBare ? 'bare proxy' : 'pk'}${streamed ? ' streamed' : ''}${cacheHit ? ' cache hit' : ''}: ${kilo(total)} instructions per request` +
    ` (${result.requests.total} requests, ${failures}); by thread: ${threads
      .filter((thread) => thread.perRequest >= 500)
      .map((thread) => `#${thread.thread} ${kilo(thread.perRequest)}`)
      .join(', ')}\n`,
);
process.exit(failed > 0 ? 1 : 0);
