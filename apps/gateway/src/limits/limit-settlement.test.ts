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

  it('a stream cut after partial usage: that usage (its recorded cost) plus the text bytes sent beyond the output reported', () => {
    const cut = {
      attempts: 1,
      provider: 'anthropic',
      model: 'm',
      stream: true,
      usage: { prompt_tokens: 325, completion_tokens: 1, total_tokens: 326 },
      usagePartial: true,
      cost: 0.0005,
      costStatus: 'partial_usage',
    } as const;
    // 326 reported, plus 40 bytes of text sent less the 1 output token reported; $500µ recorded plus 39 output tokens at $2/M.
    expect(actualUsageOf(end(cut, 499), state, price)).toEqual({
      tokens: 365,
      costMicros: 578,
      counted: true,
    });
    // More output reported than text sent: the usage alone.
    const ahead = { ...cut, usage: { prompt_tokens: 325, completion_tokens: 60, total_tokens: 385 } };
    expect(actualUsageOf(end(ahead), state, price)).toEqual({ tokens: 385, costMicros: 500, counted: true });
    // A whole stream's usage is never topped up by the text sent.
    const { usagePartial: _partial, ...whole } = cut;
    expect(actualUsageOf(end(whole), state, price)).toMatchObject({ tokens: 326, costMicros: 500 });
  });

  it('a cache hit costs nothing; a request no provider was asked is not counted', () => {
    expect(actualUsageOf(end({ attempts: 0, cacheStatus: 'HIT' }), state, price)).toMatchObject({
      tokens: 0,
      counted: true,
    });
    expect(actualUsageOf(end({ attempts: 0 }, 446), state, price)).toMatchObject({ counted: false });
  });

  it('an answer priced without token counts (whisper-1 by its seconds of audio) costs its price, no tokens', () => {
    // 90 s of whisper-1 at $0.006 a minute: $0.009 = 9,000 micro-USD.
    expect(
      actualUsageOf(
        end({ attempts: 1, provider: 'openai', model: 'whisper-1', cost: 0.009, costStatus: 'priced' }),
        { ...state, reservedCostMicros: 0, reservedTokens: 0 },
        price,
      ),
    ).toEqual({ tokens: 0, costMicros: 9000, counted: true });
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

  it('a JSON request whose call was cut by a timeout or a hang-up keeps its reservation: the provider worked on it', () => {
    const reserved = { tokens: 4396, costMicros: 9000, counted: true };
    const timedOut = {
      attempts: 3,
      provider: 'openai',
      model: 'm',
      errorCode: 'PK_ERR_TIMEOUT',
      attemptLog: [1, 2, 3].map(() => ({
        targetPath: 'config',
        provider: 'openai',
        startedAt: 0,
        status: 408,
        latencyMs: 500,
        errorCode: 'PK_ERR_TIMEOUT',
      })),
    };
    expect(actualUsageOf(end(timedOut, 408), state, price)).toEqual(reserved);
    // A timed-out call then a provider error: the cut call still counts.
    expect(actualUsageOf(end({ ...timedOut, errorCode: 'rate_limit_exceeded' }, 429), state, price)).toEqual(
      reserved,
    );
    expect(actualUsageOf(end({ attempts: 1, provider: 'openai', model: 'm' }, 499), state, price)).toEqual(
      reserved,
    );
    // The client left before any call: nothing to charge.
    expect(actualUsageOf(end({ attempts: 0 }, 499), state, price)).toMatchObject({ counted: false });
  });
});
