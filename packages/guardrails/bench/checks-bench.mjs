// Micro-benchmark of the checks on the request path (run after a build: pnpm --filter @pk/guardrails bench).
// Measures the CPU time of one pk.pii scan and one case-insensitive default.regexMatch over a 4 KiB
// prompt, through the same compile + run path the gateway uses, plus adversarial 4 KiB inputs that
// would be quadratic for careless patterns. Prints µs per check (median of 9 rounds).
import { compileRawHook, runHooks } from '../dist/index.js';

const sentence =
  'Our quarterly review covers shipping delays, the new onboarding flow and the support backlog; ';
const personal = ' Contact jane.doe@example.com or +44 20 7946 0958, card 4111 1111 1111 1111.';
const prompt = sentence.repeat(Math.ceil(4096 / sentence.length)).slice(0, 4096 - personal.length) + personal;
const adversarial = {
  'digits, no separators': '4'.repeat(4096),
  'one long token': 'a'.repeat(4096),
  'dots and ats': '.@'.repeat(2048),
};

function hook(checks) {
  const result = compileRawHook(
    { id: 'bench', checks },
    { origin: 'config', segments: [], root: 'bench', guardrails: new Map(), defaultId: 'bench' },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.hook;
}

const services = { now: () => 0 };
const context = (text) => ({
  requestType: 'chatComplete',
  provider: 'openai',
  metadata: {},
  request: {
    json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }] },
    isStreamingRequest: false,
  },
});

async function measure(label, compiled, text, iterations = 400) {
  const input = { hooks: [compiled], event: 'beforeRequestHook', context: context(text), services };
  for (let i = 0; i < 50; i += 1) await runHooks(input);
  const rounds = [];
  for (let round = 0; round < 9; round += 1) {
    const started = process.cpuUsage();
    for (let i = 0; i < iterations; i += 1) await runHooks(input);
    const used = process.cpuUsage(started);
    rounds.push((used.user + used.system) / iterations);
  }
  rounds.sort((a, b) => a - b);
  const median = rounds[4];
  console.log(`${label.padEnd(58)} ${median.toFixed(1).padStart(7)} µs CPU per check`);
  return median;
}

const pii = hook([{ id: 'pk.pii', parameters: {} }]);
const piiRedact = hook([{ id: 'pk.pii', parameters: { redact: true } }]);
const regex = hook([
  { id: 'default.regexMatch', parameters: { rule: '(?i)ignore (all )?previous instructions', not: true } },
]);
const secrets = hook([{ id: 'pk.secrets', parameters: {} }]);

console.log(`prompt: ${prompt.length} characters`);
const results = {
  pii: await measure('pk.pii scan, all categories, 4 KiB prompt', pii, prompt),
  piiRedact: await measure('pk.pii redact, 4 KiB prompt', piiRedact, prompt),
  regex: await measure('default.regexMatch (?i) on RE2JS, 4 KiB prompt', regex, prompt),
  secrets: await measure('pk.secrets scan, 4 KiB prompt', secrets, prompt),
};
for (const [name, text] of Object.entries(adversarial)) {
  await measure(`pk.pii scan, adversarial 4 KiB (${name})`, pii, text, 100);
  await measure(`regexMatch (?i), adversarial 4 KiB (${name})`, regex, text, 100);
}
// Guard rails for regressions on this 2-core machine: generous, an order of magnitude above today.
const limits = { pii: 2000, piiRedact: 3000, regex: 5000, secrets: 2000 };
for (const [name, limit] of Object.entries(limits)) {
  if (results[name] > limit) {
    console.error(`${name}: ${results[name].toFixed(1)} µs is over ${limit} µs`);
    process.exitCode = 1;
  }
}
