// node bench/cold-ramp.mjs [--bare] [--stream] [--seconds N] [--rounds N] [--env NAME=value,...]
//   [--flags "--a --b"] [--prime N] [--idle MS]: how fast a just-started gateway keeps up. Per round
// (default 3): the mock upstream and a fresh gateway (as `pnpm start` runs it, its data in a new
// folder; `--bare`: the bench's bare proxy), then, the moment it says it listens, the bench's chat
// request at 50 connections for N seconds (default 6). Prints the requests answered in each second
// and the CPU µs per request of that second (the process's, all threads, from /proc), so the first
// seconds can be set beside the steady state. `--env` adds variables to the gateway's environment,
// `--flags` replaces `pnpm start`'s V8 flags; `--prime N` sends N requests one at a time before the
// load (as a warm-up would) and `--idle MS` waits before it, to tell one-time work from JIT warm-up.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuMs, PK_NODE_FLAGS, saturateChat, startProcess } from './processes.mjs';

const here = new URL('.', import.meta.url).pathname;
const argument = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : process.argv[index + 1];
};
const bare = process.argv.includes('--bare');
const streamed = process.argv.includes('--stream');
const seconds = Number(argument('seconds', 6));
const rounds = Number(argument('rounds', 3));
const flags = argument('flags', undefined);
const prime = Number(argument('prime', 0));
const idle = Number(argument('idle', 0));
const nodeFlags = flags === undefined ? [...PK_NODE_FLAGS] : flags.split(' ').filter(Boolean);
const extraEnv = Object.fromEntries(
  argument('env', '')
    .split(',')
    .filter(Boolean)
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);

const upstream = await startProcess(`${here}mock-openai-upstream.mjs`, [], {}, /listening on (http:\/\/\S+)/);
for (let round = 1; round <= rounds; round += 1) {
  const dataDir = mkdtempSync(join(tmpdir(), 'pk-cold-data-'));
  const startedAt = performance.now();
  const target = bare
    ? await startProcess(`${here}bare-proxy.mjs`, [], { PORT: '0' }, /listening on (http:\/\/\S+)/, {
        cwd: here,
        nodeFlags,
      })
    : await startProcess(
        `${here}../dist/server.js`,
        [],
        { PORT: '0', PK_DATA_DIR: dataDir, ...extraEnv },
        /pk gateway listening on (http:\/\/[^"\s]+)/,
        { nodeFlags },
      );
  const listening = performance.now() - startedAt;
  const pid = target.child.pid;
  const primedAt = performance.now();
  if (prime > 0) {
    await saturateChat({
      gatewayUrl: target.url,
      upstreamUrl: upstream.url,
      connections: 1,
      amount: prime,
      streamed,
    });
  }
  const primed = performance.now() - primedAt;
  await sleep(idle);
  const perSecond = [];
  let cpuBefore = cpuMs(pid);
  const load = saturateChat({
    gatewayUrl: target.url,
    upstreamUrl: upstream.url,
    connections: 50,
    duration: seconds,
    streamed,
  });
  load.on('tick', ({ counter }) => {
    const cpu = cpuMs(pid);
    perSecond.push({ requests: counter, cpu: cpu - cpuBefore });
    cpuBefore = cpu;
  });
  const result = await load;
  target.child.kill('SIGTERM');
  await sleep(500);
  rmSync(dataDir, { recursive: true, force: true });
  process.stdout.write(
    `round ${round}: listening after ${listening.toFixed(0)} ms${prime > 0 ? `, ${prime} requests one by one in ${primed.toFixed(0)} ms` : ''}; requests per second ${perSecond
      .map((second) => second.requests)
      .join(', ')}; CPU µs per request ${perSecond
      .map((second) => (second.requests === 0 ? '-' : ((second.cpu * 1000) / second.requests).toFixed(0)))
      .join(', ')}; ${result.non2xx} non-2xx, ${result.errors} errors\n`,
  );
}
upstream.child.kill('SIGTERM');
