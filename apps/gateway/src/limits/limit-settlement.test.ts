import { describe, expect, it } from 'vitest';
import type { RequestEnd } from '../plugins/request-log.js';
import { actualUsageOf } from './limit-settlement.js';
import type { UsageBound } from './request-limits.js';

const state: UsageBound = {
  promptTokens: 300,
  reservedTokens: 4396,
  reservedCostMicros: 9000,
  streamedTextBytes: 40,
};
const end = (fields: RequestEnd['fields'], status = 200): RequestEnd =>
  ({ request: {} as RequestEnd['request'], status, latencyMs: 1, fields }) as RequestEnd;
// $1 per million prompt tokens, $2 per million completion tokens.
const price = (
  _provider: string,
  _model: string,
  usage: { prompt_tokens: number; completion_tokens: number },
) => (usage.prompt_tokens + 2 * usage.completion_tokens) / 1_000_000;

describe('what a finished request used', () => {
  it('the provider’s usage, priced', () => {
    expect(
      actualUsageOf(
        end({
          attempts: 1,
          provider: 'openai',
          model: 'm',
          targetPath: 'config',
          usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
        }),
        state,
        price,
      ),
    ).toEqual({ tokens: 15, costMicros: 20, counted: true });
  });

  it('a stream without usage (aborted): the prompt bound plus the text bytes sent', () => {
    expect(
      actualUsageOf(end({ attempts: 1, provider: 'openai', model: 'm', stream: true }, 499), state, price),
    ).toMatchObject({
      tokens: 340,
      costMicros: 380,
      counted: true,
    });
  });

  it('a cache hit costs nothing; a request no provider was asked is not counted', () => {
    expect(actualUsageOf(end({ attempts: 0, cacheStatus: 'HIT' }), state, price)).toMatchObject({
      tokens: 0,
      counted: true,
    });
    expect(actualUsageOf(end({ attempts: 0 }, 446), state, price)).toMatchObject({ counted: false });
  });

  it('a JSON answer without usage keeps its reservation; a provider error without usage costs nothing', () => {
    expect(actualUsageOf(end({ attempts: 1, provider: 'openai', model: 'm' }), state, price)).toMatchObject({
      tokens: 4396,
      costMicros: 9000,
    });
    expect(
      actualUsageOf(end({ attempts: 1, provider: 'openai', model: 'm' }, 500), state, price),
    ).toMatchObject({
      tokens: 0,
      costMicros: 0,
    });
  });
});
