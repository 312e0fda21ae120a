import { type ConditionContext, matchConditions } from '../model/conditions.js';
import type { PlanGroup, PlanNode } from '../plan/plan.js';
import { noRouteFailure } from './engine-errors.js';
import type { PlanOutcome } from './outcome.js';
import { emptyGroupFailure, type RunContext, settleOnGroup } from './run-context.js';
import { runNode } from './run-node.js';

const EMPTY_CONTEXT: ConditionContext = {};

/** The target a conditional group names `name`, if any. */
export function targetNamed(group: PlanGroup, name: string): PlanNode | undefined {
  for (const target of group.targets) if (target.name === name) return target;
  return undefined;
}

/** What {@link createRequestConditionContext} needs to know about one HTTP request. */
export interface RequestConditionSource {
  /** The parsed `x-portkey-metadata` (its `_user` included), when the request sent one. */
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
  /** The request URL: a path (`/v1/chat/completions?x=1`) or an absolute URL. Only its pathname is used. */
  readonly url: string;
}

function pathnameOf(url: string): string {
  if (url.startsWith('/')) {
    const end = url.search(/[?#]/);
    return end === -1 ? url : url.slice(0, end);
  }
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

/**
 * The `conditionContext` port for a request that came over HTTP (behaviour reference §4.5):
 * `metadata` is the parsed `x-portkey-metadata` (`{}` without one), `params` the JSON body of the
 * request being routed (`{}` for multipart and bodiless requests), `url.pathname` the request path
 * without its query string. The gateway and the SDK's in-process mode share it, so a conditional
 * config routes the same way in both. Nothing is computed until a conditional group asks.
 */
export function createRequestConditionContext(
  source: RequestConditionSource,
): (request: { readonly body?: Readonly<Record<string, unknown>> | undefined }) => ConditionContext {
  return (request) => ({
    metadata: source.metadata ?? {},
    params: request.body ?? {},
    url: { pathname: pathnameOf(source.url) },
  });
}

/** What conditional queries see: the `conditionContext` port's answer, else the request itself when it is an object. */
export function conditionContextOf<Req>(
  request: Req,
  conditionContext: ((request: Req) => ConditionContext) | undefined,
): ConditionContext {
  if (conditionContext !== undefined) return conditionContext(request);
  return typeof request === 'object' && request !== null ? (request as ConditionContext) : EMPTY_CONTEXT;
}

/**
 * Conditional (behaviour reference §4.5): the first condition whose query matches `metadata.*`,
 * `params.*` or `url.pathname` names the target (`then`), else `strategy.default`. No match and no
 * default, or a name no target carries, is a 400 `PK_ERR_NO_ROUTE`. Breakers are not applied to its
 * targets (hosted Portkey).
 */
export function runConditional<Req, Value, Err>(
  context: RunContext<Req, Value, Err>,
  group: PlanGroup,
): Promise<PlanOutcome<Value, Err>> {
  if (group.targets.length === 0) return Promise.resolve(emptyGroupFailure(context, group));
  context.conditionContext ??= conditionContextOf(context.request, context.ports.conditionContext);
  const name = matchConditions(group.strategy, context.conditionContext);
  if (name === undefined) {
    settleOnGroup(context, group.path);
    return Promise.resolve(
      noRouteFailure(
        `No conditions passed for the conditional group at ${group.path}, and it has no default`,
      ),
    );
  }
  const target = targetNamed(group, name);
  if (target === undefined) {
    settleOnGroup(context, group.path);
    return Promise.resolve(
      noRouteFailure(`The conditional group at ${group.path} routes to "${name}", which no target is named`),
    );
  }
  return runNode(context, target);
}
