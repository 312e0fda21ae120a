import { z } from 'zod';
import type { CheckDefinition } from '../model/check-definition.js';
import { parseParameters, refuse } from '../model/parameters.js';
import { allRequestTexts } from '../text/all-request-texts.js';

const schema = z.object({
  maxTokens: z.number().int().positive().optional(),
  maxPromptTokens: z.number().int().positive().optional(),
  requireMaxTokens: z.boolean().optional(),
});
type Parameters = z.infer<typeof schema>;

/** Characters per token of the prompt estimate (OpenAI's rule of thumb for English). */
export const CHARACTERS_PER_TOKEN = 4;

/**
 * `pk.maxTokens` (before the request): the request's `max_completion_tokens` / `max_tokens` must
 * not exceed `maxTokens` (a request without either passes unless `requireMaxTokens`), and the prompt
 * (every text of every message, estimated at 4 characters a token) must not exceed `maxPromptTokens`.
 */
export const maxTokensCheck: CheckDefinition<Parameters> = {
  id: 'pk.maxTokens',
  compile(parameters) {
    const parsed = parseParameters(schema, parameters);
    if (!parsed.ok) return parsed;
    if (parsed.parameters.maxTokens === undefined && parsed.parameters.maxPromptTokens === undefined)
      return refuse([], 'expected maxTokens, maxPromptTokens or both');
    return parsed;
  },
  run({ context, parameters, event }) {
    if (event !== 'beforeRequestHook')
      return {
        verdict: true,
        error: { name: 'Error', message: 'pk.maxTokens only works in before_request_hooks' },
        data: null,
      };
    const json = context.request.json;
    const requested = [json.max_completion_tokens, json.max_tokens].find(
      (value) => typeof value === 'number',
    ) as number | undefined;
    const characters = allRequestTexts(json, context.requestType).reduce((sum, text) => sum + text.length, 0);
    const estimatedPromptTokens = Math.ceil(characters / CHARACTERS_PER_TOKEN);
    const problems: string[] = [];
    if (parameters.maxTokens !== undefined) {
      if (requested === undefined && parameters.requireMaxTokens === true)
        problems.push(`the request sets no max_tokens (at most ${parameters.maxTokens} required)`);
      else if (requested !== undefined && requested > parameters.maxTokens)
        problems.push(`max_tokens ${requested} is over the cap of ${parameters.maxTokens}`);
    }
    if (parameters.maxPromptTokens !== undefined && estimatedPromptTokens > parameters.maxPromptTokens)
      problems.push(
        `the prompt (about ${estimatedPromptTokens} tokens) is over the cap of ${parameters.maxPromptTokens}`,
      );
    const verdict = problems.length === 0;
    return {
      verdict,
      data: {
        explanation: verdict ? 'The request is within its token caps.' : `${problems.join('; ')}.`,
        requestedMaxTokens: requested ?? null,
        maxTokens: parameters.maxTokens ?? null,
        estimatedPromptTokens,
        maxPromptTokens: parameters.maxPromptTokens ?? null,
      },
    };
  },
};
