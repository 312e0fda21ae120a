import type { ResolvedPlan } from '@pk/config';
import { answersNatively } from '@pk/providers';
import { servablePlanOf } from '../request-plan/servable-plan.js';

/**
 * A `count_tokens` request's plan with only the targets that can count tokens where the config lets
 * pk choose (a load balance draws among them, a fallback skips the others; see
 * {@link servablePlanOf}): only Anthropic, and Claude on Bedrock and Vertex AI, count tokens (a
 * target's `override_params.model`, else the request's, says which model it is), and any other answers
 * 501. With the warning that names the targets left out; the plan as it was when every target can count,
 * or none can (each target's 501 then says why).
 */
export function countTokensPlanOf(
  plan: ResolvedPlan,
  requestModel: unknown,
): { readonly plan: ResolvedPlan; readonly warning?: string } {
  if (plan.root.kind === 'leaf') return { plan };
  const narrowed = servablePlanOf(plan.root, (leaf) =>
    answersNatively(
      'messages.count_tokens',
      leaf.target.provider ?? '',
      leaf.override_params.model ?? requestModel,
    ),
  );
  if (narrowed === undefined || narrowed.leftOut.length === 0) return { plan };
  const named = narrowed.leftOut.map((leaf) => `${leaf.path} (${leaf.target.provider ?? 'no provider'})`);
  return {
    plan: { ...plan, root: narrowed.root },
    warning: `count_tokens: ${named.join(', ')} cannot count tokens and ${named.length === 1 ? 'was' : 'were'} left out of the routing`,
  };
}
