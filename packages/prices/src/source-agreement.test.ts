import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { PRICE_DATA_JSON } from './generated/price-data.js';
import type { MatchData, PriceData } from './price-data-format.js';
import { createPriceTable } from './price-table.js';

// pk's table against the package it is generated from: for every spelling the source lists (and a
// probe for every pattern), at several points in time and usages, pk must name the same model and
// charge the same total as the source's own calcPrice. This checks the exact-id index, the compiled
// patterns, the fallback chain, the time variants, the tiers and the arithmetic at once.

const data = JSON.parse(PRICE_DATA_JSON) as PriceData;
const table = createPriceTable();

const TIMES = ['2025-01-01T03:00:00Z', '2026-08-20T12:00:00Z', '2026-12-01T20:00:00Z'].map(Date.parse);
const USAGES = [
  { prompt: 1_000, completion: 500, cached: 0, write: 0, audioIn: 0, reasoning: 0, audioOut: 0 },
  {
    prompt: 12_345,
    completion: 6_789,
    cached: 2_000,
    write: 1_000,
    audioIn: 0,
    reasoning: 3_000,
    audioOut: 0,
  },
  {
    prompt: 250_000,
    completion: 40_000,
    cached: 100_000,
    write: 20_000,
    audioIn: 0,
    reasoning: 0,
    audioOut: 0,
  },
  {
    prompt: 9_000,
    completion: 3_000,
    cached: 1_000,
    write: 0,
    audioIn: 4_000,
    reasoning: 0,
    audioOut: 2_000,
  },
];

function probesOf(match: MatchData): string[] {
  if ('or' in match) return match.or.flatMap(probesOf);
  if ('and' in match) return [];
  if ('starts_with' in match) return [`${match.starts_with}-2099`];
  if ('ends_with' in match) return [`x-${match.ends_with}`];
  if ('contains' in match) return [`x-${match.contains}-y`];
  return [];
}

function sourceTotal(tableId: string, model: string, usage: (typeof USAGES)[number], at: number) {
  try {
    const result = calcPrice(
      {
        input_tokens: usage.prompt,
        output_tokens: usage.completion,
        cache_read_tokens: usage.cached,
        cache_write_tokens: usage.write,
        input_audio_tokens: usage.audioIn,
        cache_audio_read_tokens: 0,
        output_reasoning_tokens: usage.reasoning,
        output_audio_tokens: usage.audioOut,
        output_audio_reasoning_tokens: 0,
      },
      model,
      { providerId: tableId, timestamp: new Date(at) },
    );
    return result === null ? null : { model: result.model.id, total: result.total_price };
  } catch {
    return 'throws' as const; // the source refuses some price sets (e.g. a 1-hour cache price alone)
  }
}

describe('agreement with @pydantic/genai-prices calcPrice', () => {
  it.each(Object.keys(data.tables))(
    'table %s: same model and same total for every listed spelling',
    (tableId) => {
      const source = data.tables[tableId]!;
      const spellings = [
        ...Object.keys(source.ids),
        ...source.patterns.flatMap(([, match]) => probesOf(match)),
      ];
      let compared = 0;
      const mismatches: string[] = [];
      for (const model of spellings) {
        for (const at of TIMES) {
          for (const usage of USAGES) {
            const expected = sourceTotal(tableId, model, usage, at);
            if (expected === 'throws' || expected === null) continue;
            const ours = table.cost({
              provider: tableId,
              model,
              at,
              usage: {
                prompt_tokens: usage.prompt,
                completion_tokens: usage.completion,
                prompt_tokens_details: { cached_tokens: usage.cached, audio_tokens: usage.audioIn },
                completion_tokens_details: {
                  reasoning_tokens: usage.reasoning,
                  audio_tokens: usage.audioOut,
                },
                cache_creation_input_tokens: usage.write,
              },
            });
            compared += 1;
            if (ours.cost_status !== 'priced') {
              if (expected.total !== 0 || ours.cost_status !== 'unknown_price') {
                mismatches.push(`${model}: source ${expected.total}, pk ${ours.cost_status}`);
              }
              continue;
            }
            const tolerance = Math.max(1e-11, Math.abs(expected.total) * 1e-9);
            if (
              ours.priced_as.model_id !== expected.model ||
              Math.abs(ours.cost - expected.total) > tolerance
            ) {
              mismatches.push(
                `${model} at ${new Date(at).toISOString()}: source ${expected.model} $${expected.total}, pk ${ours.priced_as.model_id} $${ours.cost}`,
              );
            }
          }
        }
      }
      expect(mismatches).toEqual([]);
      expect(compared).toBeGreaterThan(0);
    },
  );

  it('charges the same as the source for seconds of audio, for every model priced by the hour', () => {
    let compared = 0;
    for (const [tableId, source] of Object.entries(data.tables)) {
      for (const [model] of Object.entries(source.ids)) {
        const index = source.ids[model]!;
        const entry = source.models[index]?.[1];
        if (entry === null || entry === undefined || Array.isArray(entry)) continue;
        if ((entry as { per_audio_hour?: number }).per_audio_hour === undefined) continue;
        for (const seconds of [1, 90, 3_725.5]) {
          const expected = calcPrice({ input_audio_seconds: seconds, audio_seconds: seconds }, model, {
            providerId: tableId,
          });
          const ours = table.cost({ provider: tableId, model, usage: { type: 'duration', seconds } });
          expect(ours, `${tableId}/${model} ${seconds} s`).toMatchObject({ cost_status: 'priced' });
          expect(ours.cost!).toBeCloseTo(expected!.total_price, 12);
          compared += 1;
        }
      }
    }
    // whisper-1, gpt-transcribe, Groq's two Whisper models, Voxtral Mini: 5 models × 3 durations.
    expect(compared).toBeGreaterThanOrEqual(15);
  });
});
