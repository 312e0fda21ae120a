import type { PlanLeaf, PlanNode, ResolvedPlan } from '@pk/config';
import type { CompiledHook } from '../compile/compiled-hook.js';
import type { HookCompiler } from '../compile/hook-compiler.js';

type HookObject = Readonly<Record<string, unknown>>;

/** The hooks of one request's plan, split by where they run. */
export interface PlanHooks {
  /**
   * Before-request hooks every leaf would run (the root's, when no target replaces them, and the
   * default guardrails): they run once, before the cache lookup and the routing.
   */
  readonly shared: readonly CompiledHook[];
  /** A leaf's own before-request hooks (not shared): they run each time that target is tried. */
  before(leaf: PlanLeaf): readonly CompiledHook[];
  /** A leaf's after-request hooks. */
  after(leaf: PlanLeaf): readonly CompiledHook[];
  /** Whether any leaf has after-request hooks. */
  readonly hasAfterHooks: boolean;
}

function leavesOf(node: PlanNode, into: PlanLeaf[]): PlanLeaf[] {
  if (node.kind === 'leaf') into.push(node);
  else for (const child of node.targets) leavesOf(child, into);
  return into;
}

/** True when some leaf of the plan has hooks (cheap: no compilation). */
export function planHasHooks(plan: ResolvedPlan): boolean {
  return leavesOf(plan.root, []).some(
    (leaf) => (leaf.before_request_hooks?.length ?? 0) > 0 || (leaf.after_request_hooks?.length ?? 0) > 0,
  );
}

/**
 * Splits a plan's hooks (compiled through `compiler`'s cache), or `undefined` when the plan has
 * none, so a request without hooks does no further work. Hook objects are compared by identity:
 * `resolveConfig` hands the same objects to every leaf that inherits them.
 */
export function collectPlanHooks(plan: ResolvedPlan, compiler: HookCompiler): PlanHooks | undefined {
  const leaves = leavesOf(plan.root, []);
  if (
    !leaves.some(
      (leaf) => (leaf.before_request_hooks?.length ?? 0) > 0 || (leaf.after_request_hooks?.length ?? 0) > 0,
    )
  )
    return undefined;
  const [first, ...others] = leaves;
  const sharedObjects = new Set<HookObject>(
    (first?.before_request_hooks ?? []).filter((hook) =>
      others.every((leaf) => leaf.before_request_hooks?.includes(hook) === true),
    ),
  );
  const shared = [...sharedObjects].map((hook) => compiler.compile(hook));
  const beforeByPath = new Map<string, readonly CompiledHook[]>();
  const afterByPath = new Map<string, readonly CompiledHook[]>();
  return {
    shared,
    hasAfterHooks: leaves.some((leaf) => (leaf.after_request_hooks?.length ?? 0) > 0),
    before(leaf) {
      let hooks = beforeByPath.get(leaf.path);
      if (hooks === undefined) {
        hooks = (leaf.before_request_hooks ?? [])
          .filter((hook) => !sharedObjects.has(hook))
          .map((hook) => compiler.compile(hook));
        beforeByPath.set(leaf.path, hooks);
      }
      return hooks;
    },
    after(leaf) {
      let hooks = afterByPath.get(leaf.path);
      if (hooks === undefined) {
        hooks = (leaf.after_request_hooks ?? []).map((hook) => compiler.compile(hook));
        afterByPath.set(leaf.path, hooks);
      }
      return hooks;
    },
  };
}
