// The request log store's cost on the hot path: two pk gateways, the log store off and on (SQLite,
// the default), saturated at the same time, each by a load generator of its own; gateway CPU µs per
// request of each (the writer's worker thread is part of the process, so it is counted). Used by
// run-bench.mjs; alone:
//   node bench/log-store-cpu.mjs [upstream-url]   (starts a mock upstream when none is given)
//   PK_BENCH_LOG_STORE_SIDES=off,off node bench/log-store-cpu.mjs   (both off: the method's own spread)
//   PK_BENCH_LOG_STORE_RANDOM_KEYS=1 node bench/log-store-cpu.mjs   (a random trace id and _user per request)
// `measureSideBySide` is the method for any two gateways: compare-builds.mjs uses it for two builds.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuMs, PK_NODE_FLAGS, startProcess } from './processes.mjs';

const here = new URL('.', import.meta.url).pathname;

/** A gateway to measure: its built server script and the environment that sets it apart. */
function logStoreSide(logStore) {
  return { label: logStore, script: `${here}../dist/server.js`, env: { PK_LOG_STORE: logStore } };
}

async function startSide(side) {
  const dataDir = mkdtempSync(join(tmpdir(), `pk-bench-side-${side.label.replace(/[^\w-]/g, '_')}-`));
  const pk = await startProcess(
    side.script,
    [],
    { PORT: '0', PK_LOG_LEVEL: 'info', PK_DATA_DIR: dataDir, ...side.env },
    /pk gateway listening on (http:\/\/[^"\s]+)/,
    { nodeFlags: PK_NODE_FLAGS },
  );
  return { ...pk, dataDir };
}

/** `saturateChat(options)` in a child process: resolves its totals. */
function saturateInChild(options) {
  return new Promise((resolve, reject) => {
    const child = fork(`${here}saturate-child.mjs`, [JSON.stringify(options)], { stdio: 'ignore' });
    child.once('message', resolve);
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the load generator exited ${code}`));
    });
  });
}

/**
 * CPU µs per request of two gateways (`sides`: each `{ label, script, env }`) saturated side by side.
 * Side by side: both gateways are loaded at the same time, so both see the same moment of a machine
 * whose speed wanders (other tenants of a shared host); alternating rounds of one and the other gave
 * on/off ratios of 0.9 to 1.3 for builds that differ by a few percent. Each process has a speed of
 * its own, too (where its memory and code landed), the same in every round it runs: pairs of fresh
 * processes of one build (both the same) gave ratios from 0.86 to 1.16, so one pair cannot tell 1.07
 * from 1.12. The rounds are spread over `pairs` pairs of fresh processes (`rounds` each, after a
 * warm-up; which side starts first alternates), and the ratio (second side / first) is the median of
 * the pairs' own ratios (each the mean of its rounds'); `first` and `second` are the medians of all
 * rounds. `headers` and `streamed` shape the request (the bench's chat request by default).
 */
export async function measureSideBySide({
  upstreamUrl,
  sides,
  seconds = 5,
  connections = 50,
  pairs = 5,
  rounds = 2,
  warmUpSeconds = 8,
  headers = {},
  streamed = false,
  randomKeys = false,
  onRound = () => {},
}) {
  const figures = { first: [], second: [] };
  const pairRatios = [];
  for (let pair = 0; pair < pairs; pair += 1) {
    const ratios = [];
    const request = { headers, streamed, randomKeys };
    const load = { upstreamUrl, seconds, connections, rounds, warmUpSeconds, sides, pair, request };
    for (const [first, second] of await measurePair(load)) {
      figures.first.push(first);
      figures.second.push(second);
      ratios.push(second / first);
      onRound({ pair, first, second });
    }
    pairRatios.push(ratios.reduce((sum, ratio) => sum + ratio, 0) / ratios.length);
  }
  return {
    first: median(figures.first),
    second: median(figures.second),
    ratio: median(pairRatios),
    pairRatios,
    rounds: figures,
  };
}

/**
 * CPU µs per request with the log store off and on (`sides`, default `['off', 'on']`), side by side
 * as {@link measureSideBySide} measures, with the metadata nearly every logged request carries.
 */
export async function measureLogStoreCpu({ sides = ['off', 'on'], randomKeys = false, ...options }) {
  const result = await measureSideBySide({
    ...options,
    sides: sides.map(logStoreSide),
    // One `_user` for every request, or (`randomKeys`) a trace id and a `_user` of each request's own.
    ...(randomKeys ? { randomKeys } : { headers: { 'x-portkey-metadata': '{"_user":"bench"}' } }),
  });
  return {
    off: result.first,
    on: result.second,
    ratio: result.ratio,
    pairRatios: result.pairRatios,
    rounds: { off: result.rounds.first, on: result.rounds.second },
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** One pair of fresh gateways: `rounds` rounds after a warm-up; resolves [first, second] µs per round. */
async function measurePair({
  upstreamUrl,
  seconds,
  connections,
  rounds,
  warmUpSeconds,
  sides,
  pair,
  request,
}) {
  // Which side starts first alternates from pair to pair.
  const gateways =
    pair % 2 === 0
      ? [await startSide(sides[0]), await startSide(sides[1])]
      : [await startSide(sides[1]), await startSide(sides[0])].reverse();
  const cpuPerRequest = async (duration) => {
    const before = gateways.map((pk) => cpuMs(pk.child.pid));
    const results = await Promise.all(
      gateways.map((pk) =>
        saturateInChild({ gatewayUrl: pk.url, upstreamUrl, connections, duration, ...request }),
      ),
    );
    for (const result of results)
      if (result.non2xx > 0 || result.errors > 0)
        throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
    // The round's last records are written within a flush interval (1 s) after it: counted too.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return gateways.map(
      (pk, index) => ((cpuMs(pk.child.pid) - before[index]) * 1000) / Math.max(1, results[index].total),
    );
  };
  try {
    // Until the JIT has settled: after 2 s of this load a round still cost ~40 % more than later
    // ones; past ~8 s, few functions are compiled again.
    await cpuPerRequest(warmUpSeconds);
    const measured = [];
    for (let round = 0; round < rounds; round += 1) measured.push(await cpuPerRequest(seconds));
    return measured;
  } finally {
    // Gone before the next pair starts: a process still writing its last records would load it.
    await Promise.all(
      gateways.map(
        (pk) =>
          new Promise((resolve) => {
            if (pk.child.exitCode !== null || pk.child.signalCode !== null) resolve();
            else pk.child.once('exit', resolve);
            pk.child.kill('SIGTERM');
          }),
      ),
    );
    for (const pk of gateways) rmSync(pk.dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let upstreamUrl = process.argv[2];
  let upstream;
  if (!upstreamUrl) {
    upstream = await startProcess(
      `${here}mock-openai-upstream.mjs`,
      ['--latency', '0', '--chunks', '8'],
      {},
      /mock upstream listening on (http:\/\/\S+)/,
    );
    upstreamUrl = upstream.url;
  }
  try {
    const seconds = Number(process.env.PK_BENCH_SECONDS ?? 5);
    const sides = (process.env.PK_BENCH_LOG_STORE_SIDES ?? 'off,on').split(',');
    const randomKeys = process.env.PK_BENCH_LOG_STORE_RANDOM_KEYS === '1';
    const result = await measureLogStoreCpu({ upstreamUrl, seconds, sides, randomKeys });
    const rounds = (side) => result.rounds[side].map((value) => value.toFixed(0)).join(' ');
    const pairs = result.pairRatios.map((ratio) => ratio.toFixed(3)).join(' ');
    process.stdout.write(
      `chat @50: gateway CPU µs per request, log store ${sides[0]} ${result.off.toFixed(0)} (rounds ${rounds('off')}), ` +
        `${sides[1]} ${result.on.toFixed(0)} (rounds ${rounds('on')}); ${sides[1]}/${sides[0]}, median of the ` +
        `${result.pairRatios.length} process pairs' ratios: ${result.ratio.toFixed(3)}× (pairs ${pairs})\n`,
    );
  } finally {
    upstream?.child.kill();
  }
}
