import { createPriceTable } from '@pk/prices';
import { describe, expect, it } from 'vitest';
import type { RequestLogFields } from '../plugins/request-log.js';
import {
  chatUsageOfRealtime,
  type DurationUsage,
  type RealtimeChatUsage,
  RealtimeTally,
  realtimeFactOf,
} from './realtime-usage.js';

const prices = createPriceTable({});
const priceOf = (model: string) => (usage: Parameters<typeof prices.cost>[0]['usage']) =>
  prices.cost({ provider: 'openai', model, usage }).cost;

const VOICE_TURN = {
  total_tokens: 150,
  input_tokens: 100,
  output_tokens: 50,
  input_token_details: {
    cached_tokens: 20,
    text_tokens: 40,
    audio_tokens: 60,
    cached_tokens_details: { text_tokens: 10, audio_tokens: 10 },
  },
  output_token_details: { text_tokens: 10, audio_tokens: 40 },
};

describe('realtimeFactOf', () => {
  it('reads the model of session.created and the usage of response.done, and parses nothing else', () => {
    expect(
      realtimeFactOf(
        Buffer.from(JSON.stringify({ type: 'session.created', session: { model: 'gpt-realtime' } })),
      ),
    ).toEqual({ type: 'session.created', model: 'gpt-realtime', transcriptionModel: undefined });
    expect(
      realtimeFactOf(Buffer.from(JSON.stringify({ type: 'response.done', response: { usage: VOICE_TURN } }))),
    ).toMatchObject({ type: 'response.done', usage: { prompt_tokens: 100, completion_tokens: 50 } });
    // Text that names the event without being it, an audio delta, and broken JSON: nothing.
    expect(
      realtimeFactOf(
        Buffer.from(JSON.stringify({ type: 'response.output_text.delta', delta: '"response.done"' })),
      ),
    ).toBeUndefined();
    expect(
      realtimeFactOf(Buffer.from('{"type":"response.output_audio.delta","delta":"AAAA"}')),
    ).toBeUndefined();
    expect(realtimeFactOf(Buffer.from('{"type":"response.done",'))).toBeUndefined();
  });

  it('reads a response.done without usage (a cancelled response) as one without usage', () => {
    expect(realtimeFactOf(Buffer.from('{"type":"response.done","response":{"status":"cancelled"}}'))).toEqual(
      {
        type: 'response.done',
        usage: undefined,
      },
    );
  });
});

describe('chatUsageOfRealtime', () => {
  it('maps Realtime usage to the chat shape, with the audio that was not read from the cache apart', () => {
    expect(chatUsageOfRealtime(VOICE_TURN)).toEqual({
      prompt_tokens: 100,
      completion_tokens: 50,
      total_tokens: 150,
      prompt_tokens_details: { cached_tokens: 20, audio_tokens: 50 },
      completion_tokens_details: { audio_tokens: 40 },
    });
  });

  it('takes all audio as uncached when the cached tokens are not broken down (the dearer reading)', () => {
    const { cached_tokens_details: _, ...details } = VOICE_TURN.input_token_details;
    expect(
      chatUsageOfRealtime({ ...VOICE_TURN, input_token_details: details })?.prompt_tokens_details,
    ).toEqual({
      cached_tokens: 20,
      audio_tokens: 60,
    });
  });

  it('is undefined without input or output counts', () => {
    expect(chatUsageOfRealtime({ total_tokens: 5 })).toBeUndefined();
    expect(chatUsageOfRealtime(null)).toBeUndefined();
    expect(chatUsageOfRealtime({ input_tokens: -1, output_tokens: 'x' })).toBeUndefined();
  });
});

describe('realtimeFactOf of transcriptions', () => {
  const fact = (event: unknown) => realtimeFactOf(Buffer.from(JSON.stringify(event)));

  it('reads the transcription model of a session in the GA shape and the beta’s, and null when it is off', () => {
    expect(
      fact({
        type: 'session.updated',
        session: {
          model: 'gpt-realtime',
          audio: { input: { transcription: { model: 'gpt-4o-transcribe' } } },
        },
      }),
    ).toEqual({ type: 'session.updated', model: 'gpt-realtime', transcriptionModel: 'gpt-4o-transcribe' });
    expect(
      fact({ type: 'session.updated', session: { input_audio_transcription: { model: 'whisper-1' } } }),
    ).toEqual({ type: 'session.updated', model: undefined, transcriptionModel: 'whisper-1' });
    expect(
      fact({ type: 'session.updated', session: { audio: { input: { transcription: null } } } }),
    ).toMatchObject({
      transcriptionModel: null,
    });
  });

  it('reads a transcription’s usage in tokens or in seconds, never its transcript', () => {
    const type = 'conversation.item.input_audio_transcription.completed';
    expect(
      fact({
        type,
        transcript: 'hello',
        usage: {
          type: 'tokens',
          input_tokens: 120,
          output_tokens: 30,
          total_tokens: 150,
          input_token_details: { audio_tokens: 100, text_tokens: 20 },
        },
      }),
    ).toEqual({
      type: 'transcription',
      usage: {
        kind: 'tokens',
        usage: {
          prompt_tokens: 120,
          completion_tokens: 30,
          total_tokens: 150,
          prompt_tokens_details: { audio_tokens: 100 },
          completion_tokens_details: {},
        },
      },
    });
    expect(fact({ type, transcript: 'hello', usage: { type: 'duration', seconds: 4.2 } })).toEqual({
      type: 'transcription',
      usage: { kind: 'duration', seconds: 4.2 },
    });
    expect(fact({ type: 'conversation.item.input_audio_transcription.delta', delta: 'he' })).toBeUndefined();
  });
});

describe('RealtimeTally', () => {
  it('prices a session of transcriptions alone by them (whisper-1 by the second), and lists what it could not price outside the cost', () => {
    const tally = new RealtimeTally();
    const usage: RealtimeChatUsage = {
      prompt_tokens: 120,
      completion_tokens: 30,
      total_tokens: 150,
      prompt_tokens_details: { audio_tokens: 100 },
      completion_tokens_details: {},
    };
    const price = (model: string, transcribed: RealtimeChatUsage | DurationUsage) =>
      priceOf(model)(transcribed);
    // gpt-4o-transcribe: $2.50 text in, $6 audio in, $10 out per 1M.
    expect(tally.addTranscription('gpt-4o-transcribe', { kind: 'tokens', usage }, price)).toBeCloseTo(
      (20 * 2.5 + 100 * 6 + 30 * 10) / 1e6,
      12,
    );
    // whisper-1: $0.36 per hour of audio ($0.006 a minute): 3 s = $0.0003.
    expect(tally.addTranscription('whisper-1', { kind: 'duration', seconds: 3 }, price)).toBeCloseTo(
      0.0003,
      12,
    );
    expect(tally.addTranscription(undefined, { kind: 'tokens', usage }, price)).toBeNull();
    expect(tally.addTranscription(undefined, { kind: 'duration', seconds: 2 }, price)).toBeNull();
    const log: RequestLogFields = {};
    tally.record(log, true, 'gpt-realtime');
    expect(log).toEqual({
      // $0.00095 + $0.0003.
      cost: 0.00125,
      costStatus: 'priced',
      costParts: [
        {
          part: 'input_audio_transcription',
          model: 'gpt-4o-transcribe',
          events: 1,
          total_tokens: 150,
          cost: 0.00095,
        },
        { part: 'input_audio_transcription', model: 'whisper-1', events: 1, seconds: 3, cost: 0.0003 },
        {
          part: 'input_audio_transcription',
          model: null,
          events: 2,
          total_tokens: 150,
          seconds: 2,
          cost: null,
        },
      ],
    });
  });

  it('sums the responses’ tokens and costs, each priced with audio at audio prices', () => {
    const tally = new RealtimeTally();
    const usage = chatUsageOfRealtime(VOICE_TURN);
    if (usage === undefined) throw new Error('no usage');
    const cost = tally.add(usage, priceOf('gpt-realtime'));
    // gpt-realtime: $4 text in, $0.40 cached, $32 audio in, $16 text out, $64 audio out per 1M.
    expect(cost).toBeCloseTo((30 * 4 + 20 * 0.4 + 50 * 32 + 10 * 16 + 40 * 64) / 1e6, 12);
    tally.add(usage, priceOf('gpt-realtime'));
    const log: RequestLogFields = {};
    tally.record(log, true, 'gpt-realtime');
    expect(log).toEqual({
      usage: { prompt_tokens: 200, completion_tokens: 100, total_tokens: 300, cached_tokens: 40 },
      cost: 0.008896,
      costStatus: 'priced',
    });
  });

  it('says unknown_price for a model without a price, and no_usage for a session without a response', () => {
    const unpriced = new RealtimeTally();
    unpriced.add(
      chatUsageOfRealtime(VOICE_TURN) as NonNullable<ReturnType<typeof chatUsageOfRealtime>>,
      () => null,
    );
    const log: RequestLogFields = {};
    unpriced.record(log, false, 'x');
    expect(log).toMatchObject({ cost: null, costStatus: 'unknown_price', usage: { total_tokens: 150 } });
    const empty: RequestLogFields = {};
    new RealtimeTally().record(empty, true, 'gpt-realtime');
    expect(empty).toEqual({ cost: null, costStatus: 'no_usage' });
  });
});
