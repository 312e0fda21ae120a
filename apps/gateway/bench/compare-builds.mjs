// Two builds of the gateway side by side: CPU µs per request of each, saturated at the same time (the
// method of log-store-cpu.mjs: pairs of fresh processes, the median of the pairs' ratios), which is
// how a change is told from the host's wandering speed (two 3-run benches of one build can differ by
// 20 %; pairs of one build side by side by a few percent).
//   node bench/compare-builds.mjs <before-dist> [after-dist] [--stream | --cache-hit] [--random-keys] [--pairs N]
// `before-dist` is another checkout's `apps/gateway/dist` (for example a `git worktree add` of the
// commit before, installed and built); `after-dist` defaults to this checkout's. `--cache-hit` sends
// the bench's simple-cache config (every request after the first a hit); `--random-keys` a trace id and
// a `_user` of each request's own (the log store's indexes take them at random places, as with
// clients that send their own). Prints each round and the
// after/before ratio; ~1 minute per pair.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { measureSideBySide } from './log-store-cpu.mjs';
import { SIMPLE_CACHE_HEADERS, startProcess } from './processes.mjs';

const here = new URL('.', import.meta.url).pathname;
const positional = process.argv
  .slice(2)
  .filter((word, index, words) => !word.startsWith('--') && words[index - 1] !== '--pairs');
const [beforeDist, afterDist = `${here}../dist`] = positional.map((path) => resolve(path));
const pairsAt = process.argv.indexOf('--pairs');
const pairs = pairsAt === -1 ? 4 : Number(process.argv[pairsAt + 1]);
const streamed = process.argv.includes('--stream');
const cacheHit = process.argv.includes('--cache-hit');
const randomKeys = process.argv.includes('--random-keys');
if (!beforeDist || !Number.isInteger(pairs) || pairs < 1) {
  process.stderr.write(
    'usage: node bench/compare-builds.mjs <before-dist> [after-dist] [--stream | --cache-hit] [--random-keys] [--pairs N]\n',
  );
  process.exit(2);
}
for (const dist of [beforeDist, afterDist]) {
  if (!existsSync(`${dist}/server.js`)) {
    process.stderr.write(`compare-builds: no server.js in ${dist} (build that checkout first)\n`);
    process.exit(2);
  }
}

const upstream = await startProcess(
  `${here}mock-openai-upstream.mjs`,
  ['--latency', '0', '--chunks', '8'],
  {},
  /mock upstream listening on (http:\/\/\S+)/,
);
try {
  const request = `${streamed ? 'streamed chat' : cacheHit ? 'simple-cache hit' : 'chat'}${randomKeys ? ' (random trace ids and _user)' : ''}`;
  process.stderr.write(
    `compare-builds: ${request} @50, ${pairs} pairs of fresh processes, 2 rounds each...\n`,
  );
  const result = await measureSideBySide({
    upstreamUrl: upstream.url,
    sides: [
      { label: 'before', script: `${beforeDist}/server.js`, env: {} },
      { label: 'after', script: `${afterDist}/server.js`, env: {} },
    ],
    pairs,
    streamed,
    randomKeys,
    headers: cacheHit ? SIMPLE_CACHE_HEADERS : {},
    onRound: ({ pair, first, second }) =>
      process.stderr.write(
        `  pair ${pair + 1}: before ${first.toFixed(0)} µs, after ${second.toFixed(0)} µs (${(second / first).toFixed(3)}×)\n`,
      ),
  });
  process.stdout.write(
    `${request} @50: gateway CPU µs per request, before ${result.first.toFixed(0)}, after ${result.second.toFixed(0)}; ` +
      `after/before, median of ${pairs} pairs: ${result.ratio.toFixed(3)}× (pairs ${result.pairRatios.map((ratio) => ratio.toFixed(3)).join(' ')})\n`,
  );
} finally {
  upstream.child.kill();
}
