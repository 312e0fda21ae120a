import { describe, expect, it } from 'vitest';
import {
  audioStreamEventUsageOf,
  MAX_PRICED_ANSWER_BYTES,
  notingAudioUsage,
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

describe('notingAudioUsage', () => {
  it('passes the bytes on unchanged and gives the usage of a JSON answer split across chunks', async () => {
    const seen: unknown[] = [];
    const text = '{"text":"Hi","usage":{"type":"duration","seconds":7}}';
    const body = notingAudioUsage(chunksOf(text.slice(0, 20), text.slice(20)), 'application/json', (usage) =>
      seen.push(usage),
    );
    expect((await drain(body)).toString()).toBe(text);
    expect(seen).toEqual([{ type: 'duration', seconds: 7 }]);
  });

  it('gives no usage for a text answer, broken JSON, or an answer past the bound', async () => {
    const seen: unknown[] = [];
    const note = (usage: unknown) => seen.push(usage);
    await drain(notingAudioUsage(chunksOf('Hello.'), 'text/plain; charset=utf-8', note));
    await drain(notingAudioUsage(chunksOf('{"duration":'), 'application/json', note));
    const big = new Uint8Array(MAX_PRICED_ANSWER_BYTES + 1);
    await drain(notingAudioUsage(chunksOf('{"duration":5,"x":"', big), 'application/json', note));
    expect(seen).toEqual([undefined, undefined, undefined]);
  });
});

describe('notingAudioUsage of an SSE stream (a streamed transcription or speech)', () => {
  const usage = {
    type: 'tokens',
    input_tokens: 14,
    input_token_details: { text_tokens: 4, audio_tokens: 10 },
    output_tokens: 45,
    total_tokens: 59,
  };
  const priced = {
    prompt_tokens: 14,
    completion_tokens: 45,
    total_tokens: 59,
    prompt_tokens_details: { audio_tokens: 10 },
  };

  it('passes the events on unchanged and reads transcript.text.done’s usage split anywhere, CRLF too', async () => {
    const delta = 'data: {"type":"transcript.text.delta","delta":"Hé"}\n\n';
    const done = `data: ${JSON.stringify({ type: 'transcript.text.done', text: 'Hé', usage })}\r\n\r\n`;
    const bytes = Buffer.from(delta + done);
    // Every split point, a multi-byte character's middle included.
    for (let at = 1; at < bytes.length; at += 7) {
      const seen: unknown[] = [];
      const body = notingAudioUsage(
        chunksOf(bytes.subarray(0, at), bytes.subarray(at)),
        'text/event-stream',
        (found) => seen.push(found),
      );
      expect((await drain(body)).equals(bytes)).toBe(true);
      expect(seen).toEqual([priced]);
    }
  });

  it('reads speech.audio.done’s usage (no type) in the chat shape', () => {
    expect(
      audioStreamEventUsageOf({
        type: 'speech.audio.done',
        usage: { input_tokens: 12, output_tokens: 900, total_tokens: 912 },
      }),
    ).toEqual({ prompt_tokens: 12, completion_tokens: 900, total_tokens: 912, prompt_tokens_details: {} });
    expect(audioStreamEventUsageOf({ type: 'speech.audio.delta', audio: 'AAAA' })).toBeUndefined();
    expect(audioStreamEventUsageOf({ type: 'transcript.text.done', text: 'Hi' })).toBeUndefined();
  });

  it('gives no usage for a stream without a done event, one cut inside it, or an event past the bound', async () => {
    const seen: unknown[] = [];
    const note = (found: unknown) => seen.push(found);
    const done = `data: ${JSON.stringify({ type: 'transcript.text.done', text: 'Hi', usage })}\n\n`;
    await drain(
      notingAudioUsage(
        chunksOf('data: {"type":"transcript.text.delta","delta":"Hi"}\n\n'),
        'text/event-stream; charset=utf-8',
        note,
      ),
    );
    await drain(notingAudioUsage(chunksOf(done.slice(0, -2)), 'text/event-stream', note));
    const big = new Uint8Array(MAX_PRICED_ANSWER_BYTES + 1).fill(0x61);
    await drain(notingAudioUsage(chunksOf('data: {"x":"', big, '"}\n\n', done), 'text/event-stream', note));
    // The done event after the oversized one is still read: only the oversized event was skipped.
    expect(seen).toEqual([undefined, undefined, priced]);
  });
});
