// Test-only helpers for the engine's table-driven tests (not exported by the package).
import type { ResolvedPlan } from '../plan/plan.js';
import { createFakeClock, type FakeClock } from '../testing/fake-clock.js';
import { createScriptedAttempt, type ScriptedCall, type ScriptStep } from '../testing/scripted-attempt.js';
import { createSeededRandom } from '../testing/seeded-random.js';
import type { EngineEvent } from './events.js';
import type { EnginePorts } from './ports.js';
import { type PlanResult, runPlan } from './run-plan.js';
import type { TraceEntry } from './trace.js';

/** A scripted request against a hand-built plan. */
export interface Scenario {
  readonly plan: ResolvedPlan;
  readonly script?: Readonly<Record<string, ScriptStep<string> | readonly ScriptStep<string>[]>>;
  readonly request?: unknown;
  readonly ports?: Partial<EnginePorts<unknown, string, unknown>>;
  readonly seed?: number;
  readonly clock?: FakeClock;
  /** Time attempts with `sleep` instead of `setTimer` (the engine's fallback when there is no `setTimer`). */
  readonly timersOnSleep?: boolean;
}

/** What a scenario produced. */
export interface ScenarioRun {
  readonly result: PlanResult<string, unknown>;
  readonly events: EngineEvent[];
  readonly calls: readonly ScriptedCall[];
  readonly clock: FakeClock;
  /** Virtual time the request took, ms. */
  readonly elapsedMs: number;
}

/** Runs a scenario on a fake clock and a seeded random, recording events. */
export async function runScenario(scenario: Scenario): Promise<ScenarioRun> {
  const clock = scenario.clock ?? createFakeClock();
  const startMs = clock.now();
  const scripted = createScriptedAttempt(clock, scenario.script ?? {});
  const events: EngineEvent[] = [];
  const result = await runPlan(scenario.plan, scenario.request ?? {}, {
    attempt: scripted.attempt,
    sleep: clock.sleep,
    ...(scenario.timersOnSleep === true ? {} : { setTimer: clock.setTimer }),
    now: clock.now,
    random: createSeededRandom(scenario.seed ?? 1),
    onEvent: (event) => events.push(event),
    ...scenario.ports,
  });
  return { result, events, calls: scripted.calls, clock, elapsedMs: clock.now() - startMs };
}

/** `config.targets[1].targets[0]` → `[1][0]`, `config` → `root`: short paths for tables. */
export function shortPath(path: string): string {
  const short = path.replace(/^config/, '').replaceAll('.targets', '');
  return short === '' ? 'root' : short;
}

/** One trace line in a compact, readable form: `[0]#1 t=1000 500 retries-exhausted → fallback`. */
export function traceLine(entry: TraceEntry): string {
  if (entry.kind === 'skip')
    return `${shortPath(entry.path)} skipped (${entry.reason} until ${entry.untilMs})`;
  const cache = entry.cache === 'DISABLED' ? '' : ` ${entry.cache}`;
  return `${shortPath(entry.path)}#${entry.attempt} t=${entry.startMs} ${entry.status}${cache} ${entry.reason} → ${entry.next}`;
}

/** The parts of a result a table row states. */
export function summary(run: ScenarioRun): {
  status: number;
  path: string;
  retryCount: number;
  elapsedMs: number;
  trace: string[];
} {
  const { outcome } = run.result;
  return {
    status: outcome.ok ? (outcome.status ?? 200) : outcome.status,
    path: shortPath(run.result.path),
    retryCount: run.result.retryCount,
    elapsedMs: run.elapsedMs,
    trace: run.result.trace.map(traceLine),
  };
}
