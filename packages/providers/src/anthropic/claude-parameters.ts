import { isJsonObject } from '../shared/json.js';

/**
 * Claude's own parameters a chat request may carry, as Portkey passes them through: `thinking`
 * (extended thinking, `{type: 'enabled', budget_tokens}` …) and `top_k`. `reasoning_effort` is not
 * mapped to `thinking` (Portkey does not either): it is dropped with a warning.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking
 */
export function claudeOnlyParameters(body: Readonly<Record<string, unknown>>): {
  thinking?: Record<string, unknown>;
  top_k?: number;
} {
  return {
    ...(isJsonObject(body.thinking) ? { thinking: body.thinking } : {}),
    ...(typeof body.top_k === 'number' ? { top_k: body.top_k } : {}),
  };
}
