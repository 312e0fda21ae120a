// Preloaded with `node --import`: on SIGUSR2, times `process.nextTick` in this process (six bursts of
// 100,000 ticks, drained every 256) and writes `next-tick-probe: <fastest burst's ns per tick>` to stderr.
const ignore = () => {};

async function burst(ticks) {
  const started = process.hrtime.bigint();
  for (let index = 0; index < ticks; index += 1) {
    process.nextTick(ignore, index);
    if ((index & 255) === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((resolve) => setImmediate(resolve));
  return Number(process.hrtime.bigint() - started) / ticks;
}

process.on('SIGUSR2', async () => {
  let fastest = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 6; round += 1) fastest = Math.min(fastest, await burst(100_000));
  process.stderr.write(`next-tick-probe: ${fastest.toFixed(1)}\n`);
});
process.stderr.write('next-tick-probe: ready\n');
