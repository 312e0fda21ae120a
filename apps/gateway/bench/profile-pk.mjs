// node bench/profile-pk.mjs [--seconds N] [--warm N] [--connections N] [--stream] [--cache-hit] [--bare]: the gateway
// (or the bare proxy) under saturation against the mock upstream (`--cache-hit`: the bench's simple-cache
// config, every request after the first a hit), with `node --cpu-prof`; prints its CPU µs per
// request and the hottest functions by self time (the .cpuprofile is kept in PK_PROFILE_DIR, default
// a temp folder, for a viewer such as Chrome's DevTools). `--warm` seconds of the same load come first
// (default 10: in its first seconds under load V8 is still compiling the gateway's code; the profile
// covers them too, the CPU per request does not).
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuMs, loadOptionsFromArgv, startUnderLoad } from './processes.mjs';

const load = loadOptionsFromArgv(process.argv, { seconds: 8 });
const profileDir = process.env.PK_PROFILE_DIR ?? mkdtempSync(join(tmpdir(), 'pk-profile-'));
const dataDir = mkdtempSync(join(tmpdir(), 'pk-profile-data-'));
const started = await startUnderLoad({
  ...load,
  nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
  dataDir,
});
const warmAt = process.argv.indexOf('--warm');
await started.load(warmAt === -1 ? 10 : Number(process.argv[warmAt + 1]));
const before = cpuMs(started.gateway.child.pid);
const result = await started.load(load.seconds);
const cpu = ((cpuMs(started.gateway.child.pid) - before) * 1000) / result.requests.total;
process.stdout.write(
  `${load.bare ? 'bare' : 'pk'}${load.streamed ? ' streamed' : ''}${load.cacheHit ? ' cache hit' : ''}: ${result.requests.average.toFixed(0)} req/s, ${cpu.toFixed(0)} µs CPU per request, ${result.non2xx} non-2xx\n`,
);
started.gateway.child.kill('SIGTERM');
started.upstream.child.kill('SIGTERM');
await sleep(2500);
const file = readdirSync(profileDir)
  // The main thread's profile (thread id 0), not a worker's (the log store writes from one).
  .filter((name) => name.endsWith('.cpuprofile') && name.includes(`.${started.gateway.child.pid}.0.`))
  .map((name) => join(profileDir, name))
  .sort()
  .at(-1);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const self = new Map();
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const deltas = profile.timeDeltas;
for (let index = 0; index < profile.samples.length; index += 1) {
  const node = byId.get(profile.samples[index]);
  const frame = node.callFrame;
  const key = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(packages|apps)\//, '$1/')}:${frame.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + (deltas[index] ?? 0));
}
const total = [...self.values()].reduce((sum, value) => sum + value, 0);
const top = [...self.entries()]
  .sort((left, right) => right[1] - left[1])
  .slice(0, Number(process.env.PK_PROFILE_TOP ?? 40));
for (const [name, time] of top)
  process.stdout.write(`${((time / total) * 100).toFixed(1).padStart(5)} %  ${name}\n`);
process.stdout.write(`profile: ${file}\n`);
process.exit(0);
