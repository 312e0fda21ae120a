// The "Routing engine" example of packages/config/README.md, kept runnable: readme-example.test.ts
// runs this module and checks that the README shows exactly the code between the region markers
// (with '../index.js' written as '@pk/config').
// #region readme
import { setTimeout as delay } from 'node:timers/promises';
import { type AttemptFunction, parseAndResolveConfig, realTimePorts, runPlan } from '../index.js';

// Two plain async functions stand in for two providers.
let backupCalls = 0;
const backends: Record<string, (prompt: string, signal: AbortSignal) => Promise<string>> = {
  // Never answers in time: the engine's 50 ms timeout aborts it (a 408), and fallback moves on.
  primary: async (prompt, signal) => {
    await delay(10_000, undefined, { signal });
    return `primary: ${prompt}`;
  },
  // Busy once (a 503, retried after 10 ms), then answers.
  backup: async (prompt) => {
    backupCalls += 1;
    if (backupCalls === 1) throw Object.assign(new Error('busy'), { status: 503 });
    return `backup: ${prompt}`;
  },
};

const parsed = parseAndResolveConfig({
  strategy: { mode: 'fallback' },
  request_timeout: 50,
  targets: [
    { name: 'primary', provider: 'openai', api_key: 'unused' },
    {
      name: 'backup',
      provider: 'openai',
      api_key: 'unused',
      retry: { attempts: 2, backoff: { initial_ms: 10 } },
    },
  ],
});
if (!parsed.ok) throw new Error(parsed.issues.map((issue) => issue.message).join('\n'));

// The only place the engine meets the world: call a target once, and report every failure as data.
const attempt: AttemptFunction<string, string, string> = async (target, prompt, { signal }) => {
  const backend = backends[target.name ?? ''];
  if (backend === undefined) return { ok: false, status: 400, error: `no backend named ${target.name}` };
  try {
    return { ok: true, value: await backend(prompt, signal) };
  } catch (error) {
    const status = (error as { status?: number }).status ?? 502;
    return { ok: false, status, error: String(error) };
  }
};

// realTimePorts: sleep, setTimer, now and random on the real clock (tests pass a fake clock).
const result = await runPlan(parsed.plan, 'Hello', { ...realTimePorts, attempt });

console.log(result.outcome); // { ok: true, value: 'backup: Hello' }
console.log(result.path, result.retryCount); // config.targets[1] 1
// config.targets[0] 408 fallback, then config.targets[1] 503 retry, then config.targets[1] 200 return
for (const line of result.trace) if (line.kind === 'attempt') console.log(line.path, line.status, line.next);

// #endregion readme

/** The example's result, for its test. */
export { result };
