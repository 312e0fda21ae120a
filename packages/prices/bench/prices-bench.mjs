// `pnpm --filter @pk/prices bench` (after `build`): import time of the built package, the one-time
// parse of the price data, and the cost of a lookup on the request path. Figures go in the README.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';

const dist = new URL('../dist/index.js', import.meta.url);

// Import time in fresh processes, with zod loaded and warmed up (the gateway has built @pk/config's
// schemas before it imports @pk/prices), so the figure is what @pk/prices itself adds.
const probe = `
  const { z } = await import('zod');
  z.record(z.string().trim().min(1), z.strictObject({ a: z.number().refine((v) => v > 0).optional() })).parse({});
  const t0 = performance.now();
  const prices = await import(${JSON.stringify(dist.href)});
  const t1 = performance.now();
  prices.builtInPriceTable().isPriced({ provider: 'openai', model: 'gpt-4o' });
  const t2 = performance.now();
  console.log(JSON.stringify({ importMs: t1 - t0, firstLookupMs: t2 - t1 }));
`;
const runs = Array.from({ length: 7 }, () =>
  JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8' })),
);
const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];

const prices = await import(dist.href);
const table = prices.builtInPriceTable();
const usage = {
  prompt_tokens: 1200,
  completion_tokens: 300,
  prompt_tokens_details: { cached_tokens: 1024 },
  completion_tokens_details: { reasoning_tokens: 100 },
};
const at = Date.now();
const nsPerCall = (fn, iterations = 1_000_000) => {
  for (let index = 0; index < 100_000; index++) fn(index);
  const start = process.hrtime.bigint();
  for (let index = 0; index < iterations; index++) fn(index);
  return Number(process.hrtime.bigint() - start) / iterations;
};
const rows = {
  'cost() hit (claude via bedrock)': nsPerCall(() =>
    table.cost({ provider: 'bedrock', model: 'us.anthropic.claude-3-5-sonnet-20241022-v2:0', usage, at }),
  ),
  'cost() hit (gpt-4o)': nsPerCall(() => table.cost({ provider: 'openai', model: 'gpt-4o', usage, at })),
  'isPriced() hit': nsPerCall(() => table.isPriced({ provider: 'openai', model: 'gpt-4o' })),
  'isPriced() new unknown id each call': nsPerCall(
    (index) => table.isPriced({ provider: 'openrouter', model: `made-up/model-${index}` }),
    200_000,
  ),
};
console.log(`dist/index.js: ${(statSync(dist).size / 1024).toFixed(1)} KiB`);
console.log(
  `import (zod warm): median ${median(runs.map((run) => run.importMs)).toFixed(1)} ms; ` +
    `first lookup (parse + compile one table): median ${median(runs.map((run) => run.firstLookupMs)).toFixed(1)} ms`,
);
for (const [name, ns] of Object.entries(rows)) console.log(`${name}: ${ns.toFixed(0)} ns`);
