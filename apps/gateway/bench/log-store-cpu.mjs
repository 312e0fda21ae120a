// The request log store's cost on the hot path: two pk gateways, the log store off and on (SQLite,
// the default), saturated in alternating rounds; gateway CPU µs per request of each (the writer's
// worker thread is part of the process, so it is counted). Used by run-bench.mjs; alone:
//   node bench/log-store-cpu.mjs [upstream-url]   (starts a mock upstream when none is given)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuMs, PK_NODE_FLAGS, saturateChat, startProcess } from './processes.mjs';

const here = new URL('.', import.meta.url).pathname;

async function startPk(logStore) {
  const dataDir = mkdtempSync(join(tmpdir(), `pk-bench-log-${logStore}-`));
  const pk = await startProcess(
    `${here}../dist/server.js`,
    [],
    { PORT: '0', PK_LOG_LEVEL: 'info', PK_DATA_DIR: dataDir, PK_LOG_STORE: logStore },
    /pk gateway listening on (http:\/\/[^"\s]+)/,
    { nodeFlags: PK_NODE_FLAGS },
  );
  return { ...pk, dataDir };
}

/**
 * CPU µs per request with the log store off and on: `rounds` saturation runs of `seconds` each per
 * gateway, alternating (off/on, then on/off, so a drift of the machine's speed falls on both
 * sides); the median round of each, and the median of the rounds' on/off ratios. The ratio of two
 * neighbouring runs is steadier than the ratio of two medians on a machine whose speed wanders
 * (other tenants of a shared host): each pair ran under nearly the same conditions.
 */
export async function measureLogStoreCpu({ upstreamUrl, seconds = 5, connections = 128, rounds = 7 }) {
  const off = await startPk('off');
  const on = await startPk('on');
  const cpuPerRequest = async (pk, duration) => {
    const before = cpuMs(pk.child.pid);
    // The bench's chat request, with the metadata nearly every logged request carries (`_user`).
    const result = await saturateChat({
      gatewayUrl: pk.url,
      upstreamUrl,
      connections,
      duration,
      headers: { 'x-portkey-metadata': '{"_user":"bench"}' },
    });
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
    // The round's last records are written within a flush interval (1 s) after it: counted too
    // (both gateways wait the same, so the idle cost of the wait is on both sides).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return ((cpuMs(pk.child.pid) - before) * 1000) / Math.max(1, result.requests.total);
  };
  try {
    await cpuPerRequest(off, 2);
    await cpuPerRequest(on, 2);
    const figures = { off: [], on: [] };
    for (let round = 0; round < rounds; round += 1) {
      const order = round % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
      for (const side of order) figures[side].push(await cpuPerRequest(side === 'off' ? off : on, seconds));
    }
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const ratios = figures.on.map((value, round) => value / figures.off[round]);
    return { off: median(figures.off), on: median(figures.on), ratio: median(ratios), rounds: figures };
  } finally {
    for (const pk of [off, on]) {
      pk.child.kill('SIGTERM');
      rmSync(pk.dataDir, { recursive: true, force: true });
    }
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
    const result = await measureLogStoreCpu({ upstreamUrl, seconds });
    const rounds = (side) => result.rounds[side].map((value) => value.toFixed(0)).join(' ');
    process.stdout.write(
      `chat: gateway CPU µs per request, log store off ${result.off.toFixed(0)} (rounds ${rounds('off')}), ` +
        `on (SQLite) ${result.on.toFixed(0)} (rounds ${rounds('on')}); on/off, median of the rounds' ratios: ${result.ratio.toFixed(3)}×\n`,
    );
  } finally {
    upstream?.child.kill();
  }
}
