import { describe, expect, it } from 'vitest';
import {
  MAX_PRICED_ANSWER_BYTES,
  notingSpeechToTextUsage,
  pricedPassthroughOf,
  speechToTextUsageOf,
} from './audio-cost.js';

describe('pricedPassthroughOf', () => {
  it('names speech-to-text and speech paths, and no other pass-through', () => {
    expect(pricedPassthroughOf('/audio/transcriptions')).toBe('speech-to-text');
    expect(pricedPassthroughOf('/v1/audio/translations?x=1')).toBe('speech-to-text');
    expect(pricedPassthroughOf('/audio/speech')).toBe('speech');
    expect(pricedPassthroughOf('/images/generations')).toBeUndefined();
    expect(pricedPassthroughOf('/files/audio/transcriptions-export')).toBeUndefined();
  });
});

describe('speechToTextUsageOf (OpenAI’s transcription answers)', () => {
  it('takes the billed seconds of `usage` over the exact `duration`', () => {
    expect(
      speechToTextUsageOf({ text: 'Hi', duration: 89.6, usage: { type: 'duration', seconds: 90 } }),
    ).toEqual({ type: 'duration', seconds: 90 });
  });

  it('reads a verbose_json answer’s duration when it has no usage (older answers, translations)', () => {
    expect(speechToTextUsageOf({ task: 'translate', duration: 60, text: 'Hi' })).toEqual({
      type: 'duration',
      seconds: 60,
    });
  });

  it('puts gpt-4o-transcribe’s token usage in the chat shape, audio tokens apart', () => {
    expect(
      speechToTextUsageOf({
        text: 'Hi',
        usage: {
          type: 'tokens',
          input_tokens: 14,
          input_token_details: { text_tokens: 4, audio_tokens: 10 },
          output_tokens: 45,
          total_tokens: 59,
        },
      }),
    ).toEqual({
      prompt_tokens: 14,
      completion_tokens: 45,
      total_tokens: 59,
      prompt_tokens_details: { audio_tokens: 10 },
    });
  });

  it('says nothing when the answer says nothing (plain json), or nonsense', () => {
    expect(speechToTextUsageOf({ text: 'Hi' })).toBeUndefined();
    expect(speechToTextUsageOf({ text: 'Hi', duration: -1 })).toBeUndefined();
    expect(speechToTextUsageOf({ text: 'Hi', usage: { type: 'duration', seconds: 'ten' } })).toBeUndefined();
    expect(speechToTextUsageOf('Hi')).toBeUndefined();
  });
});

async function drain(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function* chunksOf(...parts: (string | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield typeof part === 'string' ? Buffer.from(part) : part;
}

describe('notingSpeechToTextUsage', () => {
  it('passes the bytes on unchanged and gives the usage of a JSON answer split across chunks', async () => {
    const seen: unknown[] = [];
    const text = '{"text":"Hi","usage":{"type":"duration","seconds":7}}';
    const body = notingSpeechToTextUsage(
      chunksOf(text.slice(0, 20), text.slice(20)),
      'application/json',
      (usage) => seen.push(usage),
    );
    expect((await drain(body)).toString()).toBe(text);
    expect(seen).toEqual([{ type: 'duration', seconds: 7 }]);
  });

  it('gives no usage for a text answer, broken JSON, or an answer past the bound', async () => {
    const seen: unknown[] = [];
    const note = (usage: unknown) => seen.push(usage);
    await drain(notingSpeechToTextUsage(chunksOf('Hello.'), 'text/plain; charset=utf-8', note));
    await drain(notingSpeechToTextUsage(chunksOf('{"duration":'), 'application/json', note));
    const big = new Uint8Array(MAX_PRICED_ANSWER_BYTES + 1);
    await drain(notingSpeechToTextUsage(chunksOf('{"duration":5,"x":"', big), 'application/json', note));
    expect(seen).toEqual([undefined, undefined, undefined]);
  });
});
