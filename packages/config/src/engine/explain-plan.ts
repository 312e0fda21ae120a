import { type ConditionContext, evaluateCondition } from '../model/conditions.js';
import type { PlanGroup, PlanLeaf, PlanNode, ResolvedPlan } from '../plan/plan.js';
import type { StrategyMode } from '../schema/strategy.js';
import { conditionContextOf, targetNamed } from './conditional.js';
import { pickWeighted } from './loadbalance.js';

/** Options of {@link explainPlan}. */
export interface ExplainOptions<Req> {
  /** Same as the `conditionContext` port of `runPlan`. */
  readonly conditionContext?: (request: Req) => ConditionContext;
  /** A draw for loadbalance groups; without it the most likely target is reported. */
  readonly random?: () => number;
  /** Leaf paths whose breaker is open (e.g. from a status endpoint); they are passed over like `runPlan` does. */
  readonly openPaths?: ReadonlySet<string>;
}

/** One decision on the way from the root to the first leaf. */
export interface ExplainStep {
  /** Path of the group. */
  readonly path: string;
  readonly mode: StrategyMode;
  /** Path of the target it would use first, `undefined` when it would answer an error itself. */
  readonly chosen: string | undefined;
  /** Why, in words (for a status page or a debug header). */
  readonly reason: string;
}

/** The first leaf a request would reach, and why. */
export interface PlanExplanation {
  /** Path of the leaf the engine would call first, `undefined` when no leaf would be reached. */
  readonly target: string | undefined;
  /** That leaf's settings that shape the call. */
  readonly leaf:
    | {
        readonly provider: string | undefined;
        readonly retryAttempts: number;
        readonly requestTimeoutMs: number | undefined;
        readonly cache: boolean;
      }
    | undefined;
  readonly steps: readonly ExplainStep[];
}

/**
 * Which target a request would reach and why, without calling anything: fallback order, the
 * loadbalance odds (and a draw when `random` is given), the conditional route that matches. Open
 * breakers are only known through `openPaths` (the breaker store is async; this is not).
 */
export function explainPlan<Req>(
  plan: ResolvedPlan,
  request: Req,
  options: ExplainOptions<Req> = {},
): PlanExplanation {
  const steps: ExplainStep[] = [];
  let node: PlanNode | undefined = plan.root;
  let context: ConditionContext | undefined;
  while (node !== undefined && node.kind === 'group') {
    const group: PlanGroup = node;
    let step: ExplainStep;
    if (group.strategy.mode === 'conditional') {
      context ??= conditionContextOf(request, options.conditionContext);
      step = explainConditional(group, context);
    } else if (group.strategy.mode === 'loadbalance') {
      step = explainLoadbalance(group, options.random, options.openPaths);
    } else {
      step = explainOrdered(group, options.openPaths);
    }
    steps.push(step);
    node = group.targets.find((target) => target.path === step.chosen);
  }
  return { target: node?.path, leaf: node === undefined ? undefined : describeLeaf(node), steps };
}

function describeLeaf(leaf: PlanLeaf): PlanExplanation['leaf'] {
  return {
    provider: leaf.target.provider,
    retryAttempts: leaf.retry.attempts,
    requestTimeoutMs: leaf.request_timeout,
    cache: leaf.cache !== undefined,
  };
}

function isOpen(node: PlanNode, openPaths: ReadonlySet<string> | undefined): boolean {
  if (openPaths === undefined) return false;
  if (node.kind === 'leaf') return openPaths.has(node.path);
  return node.targets.length > 0 && node.targets.every((target) => isOpen(target, openPaths));
}

function explainOrdered(group: PlanGroup, openPaths: ReadonlySet<string> | undefined): ExplainStep {
  const { mode } = group.strategy;
  const candidates = mode === 'single' ? group.targets.slice(0, 1) : group.targets;
  const closed = candidates.filter((target) => !isOpen(target, openPaths));
  const allOpen = closed.length === 0 && candidates.length > 0;
  const order = (allOpen ? candidates : closed).map((target) => target.path);
  const chosen = order[0];
  const skipped = candidates.length - closed.length;
  let reason =
    mode === 'single'
      ? `single: always ${chosen}`
      : `fallback: tries ${order.join(', then ')} in order, moving on after ${movesOnAfter(group)}`;
  if (allOpen) reason += '; every breaker is open, so they are tried anyway unless on_all_open is fail_fast';
  else if (skipped > 0) reason += `; ${skipped} target(s) skipped (breaker open)`;
  return { path: group.path, mode, chosen, reason };
}

function movesOnAfter(group: PlanGroup): string {
  const codes = group.strategy.on_status_codes;
  return codes === undefined ? 'any non-2xx' : `status ${codes.join(', ')}`;
}

function explainLoadbalance(
  group: PlanGroup,
  random: (() => number) | undefined,
  openPaths: ReadonlySet<string> | undefined,
): ExplainStep {
  const weighted = group.targets.filter((target) => target.weight > 0);
  const anyClosed = weighted.some((target) => !isOpen(target, openPaths));
  const eligible = anyClosed ? weighted.filter((target) => !isOpen(target, openPaths)) : weighted;
  const total = eligible.reduce((sum, target) => sum + target.weight, 0);
  const odds = eligible.map((target) => `${target.path} ${formatPercent(target.weight / total)}`).join(', ');
  if (eligible.length === 0) {
    return {
      path: group.path,
      mode: 'loadbalance',
      chosen: undefined,
      reason: 'loadbalance: every weight is 0',
    };
  }
  let chosen: PlanNode | undefined;
  let how: string;
  if (random !== undefined) {
    const draw = random();
    chosen = eligible[pickWeighted(eligible, draw)];
    how = `drew ${chosen?.path}`;
  } else {
    chosen = eligible.reduce((best, target) => (target.weight > best.weight ? target : best));
    how = `most likely ${chosen.path}`;
  }
  return {
    path: group.path,
    mode: 'loadbalance',
    chosen: chosen?.path,
    reason: `loadbalance: ${odds}; ${how}`,
  };
}

function formatPercent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

function explainConditional(group: PlanGroup, context: ConditionContext): ExplainStep {
  const conditions = group.strategy.conditions ?? [];
  let name: string | undefined;
  let why: string;
  const matched = conditions.findIndex((condition) => evaluateCondition(condition.query, context));
  if (matched >= 0) {
    name = conditions[matched]?.then;
    why = `condition ${matched} matched`;
  } else {
    name = group.strategy.default;
    why =
      name === undefined ? 'no condition matched and there is no default' : 'no condition matched, default';
  }
  const target = name === undefined ? undefined : targetNamed(group, name);
  const reason =
    name !== undefined && target === undefined
      ? `conditional: ${why} → "${name}", which no target is named (400 PK_ERR_NO_ROUTE)`
      : `conditional: ${why}${name === undefined ? ' (400 PK_ERR_NO_ROUTE)' : ` → "${name}"`}`;
  return { path: group.path, mode: 'conditional', chosen: target?.path, reason };
}
