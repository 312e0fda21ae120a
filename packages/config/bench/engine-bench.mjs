// Micro-benchmark of the routing engine's own cost (not a test): a three-target fallback whose first
// target answers at once, through async ports that do nothing. Run after a build:
//   pnpm --filter @pk/config build && pnpm --filter @pk/config bench
// Prints the median cost of one runPlan in µs over 200 samples of 1,000 runs each, after a warm-up.
// Exits 1 above 10 µs (the target is 5 µs).
import { parseAndResolveConfig, runPlan } from '../dist/index.js';

const SAMPLES = 200;
const RUNS_PER_SAMPLE = 1_000;
const WARM_UP_RUNS = 50_000;
const FAIL_ABOVE_US = 10;
const TARGET_US = 5;

const parsed = parseAndResolveConfig({
  strategy: { mode: 'fallback' },
  targets: [
    { provider: 'openai', api_key: 'sk-a' },
    { provider: 'anthropic', api_key: 'sk-b' },
    { provider: 'groq', api_key: 'sk-c' },
  ],
});
if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
const { plan } = parsed;

const answer = { ok: true, value: { id: 'chatcmpl-1' } };
const ports = {
  attempt: async () => answer,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => performance.now(),
  random: Math.random,
};
const request = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

async function batch(runs) {
  for (let index = 0; index < runs; index++) {
    const result = await runPlan(plan, request, ports);
    if (!result.outcome.ok) throw new Error('the first target should answer');
  }
}

await batch(WARM_UP_RUNS);
const perRunUs = [];
for (let sample = 0; sample < SAMPLES; sample++) {
  const start = process.hrtime.bigint();
  await batch(RUNS_PER_SAMPLE);
  perRunUs.push(Number(process.hrtime.bigint() - start) / 1_000 / RUNS_PER_SAMPLE);
}
perRunUs.sort((a, b) => a - b);
const at = (share) => perRunUs[Math.min(perRunUs.length - 1, Math.floor(share * perRunUs.length))];
const median = at(0.5);

console.log('runPlan, three-target fallback, first target answers (engine cost through async ports)');
console.log(
  `  median ${median.toFixed(2)} µs/run   p10 ${at(0.1).toFixed(2)}   p90 ${at(0.9).toFixed(2)}   (${SAMPLES} samples × ${RUNS_PER_SAMPLE} runs, node ${process.version})`,
);
console.log(
  `  target ≤ ${TARGET_US} µs: ${median <= TARGET_US ? 'met' : 'NOT met'}; fails above ${FAIL_ABOVE_US} µs`,
);
if (median > FAIL_ABOVE_US) process.exit(1);
