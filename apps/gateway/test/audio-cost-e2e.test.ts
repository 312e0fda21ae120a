import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';
import {
  type MockReply,
  type ProviderMock,
  type ReceivedRequest,
  startProviderMock,
} from './support/recording-provider-mock.js';
import { temporaryDataDir } from './support/store-fixtures.js';
import { adminGetter, listedRecordOf } from './support/stored-records.js';

// What an audio request cost, as the log record and the virtual key's budget say, for OpenAI's
// speech-to-text priced by the duration of the audio (whisper-1: $0.006 per minute, $0.36 per hour
// in the price data) and text-to-speech priced by the characters of the input (tts-1), with the
// official `openai` SDK against the built gateway and a mock speaking OpenAI's wire format
// (https://platform.openai.com/docs/api-reference/audio). Each cost is worked out by hand below.
const KEYS = { team: 'pk-audio-team', admin: 'pk-audio-admin' };
const AUDIO = Buffer.from('RIFF----WAVEfmt pk-audio-probe');

let mock: ProviderMock;
let gateway: FeatureGateway;
const dataDir = temporaryDataDir();

/** How the mock answers a transcription or translation, by the `prompt` form field the test sends. */
const TRANSCRIPTIONS: Record<string, unknown> = {
  // `verbose_json`, as OpenAI answers it now: the exact `duration` and the billed `usage` seconds.
  'verbose-with-usage': {
    task: 'transcribe',
    language: 'english',
    duration: 89.6,
    text: 'Hello.',
    segments: [],
    usage: { type: 'duration', seconds: 90 },
  },
  // `json` with the `usage` newer answers carry.
  'json-with-usage': { text: 'Hello.', usage: { type: 'duration', seconds: 120 } },
  // `verbose_json` as older answers had it: the duration only.
  'verbose-duration-only': {
    task: 'transcribe',
    language: 'english',
    duration: 30,
    text: 'Hello.',
    segments: [],
  },
  // Plain `json` without usage: nothing says how long the audio was.
  'json-without-usage': { text: 'Hello.' },
  // gpt-4o-transcribe: billed by tokens, its `usage` of `type: "tokens"`.
  'gpt-4o-transcribe-tokens': {
    text: 'Hello.',
    usage: {
      type: 'tokens',
      input_tokens: 14,
      input_token_details: { text_tokens: 4, audio_tokens: 10 },
      output_tokens: 45,
      total_tokens: 59,
    },
  },
  // A translation's `verbose_json` (translations carry no `usage`).
  'translation-verbose': {
    task: 'translate',
    language: 'english',
    duration: 60,
    text: 'Hello.',
    segments: [],
  },
};

/** The usage of a streamed transcription's `transcript.text.done` event, by the `prompt` the test sends. */
const STREAMED_USAGE: Record<string, { model: string; usage: Record<string, unknown> }> = {
  'stream-gpt-4o-transcribe': {
    model: 'gpt-4o-transcribe',
    usage: {
      type: 'tokens',
      input_tokens: 14,
      input_token_details: { text_tokens: 4, audio_tokens: 10 },
      output_tokens: 45,
      total_tokens: 59,
    },
  },
  'stream-gpt-4o-mini-transcribe': {
    model: 'gpt-4o-mini-transcribe',
    usage: {
      type: 'tokens',
      input_tokens: 20,
      input_token_details: { text_tokens: 5, audio_tokens: 15 },
      output_tokens: 30,
      total_tokens: 50,
    },
  },
};

/**
 * A streamed transcription as OpenAI sends it (`stream=true`): `data:` events of
 * `transcript.text.delta`, then `transcript.text.done` with the text and the usage
 * (https://platform.openai.com/docs/api-reference/audio/transcript-text-done-event). The done event
 * is split across two writes, as a long one is on the wire.
 */
function transcriptStream(usage: Record<string, unknown> | undefined): MockReply {
  const done = `data: ${JSON.stringify({
    type: 'transcript.text.done',
    text: 'Hello.',
    ...(usage === undefined ? {} : { usage }),
  })}\n\n`;
  return {
    contentType: 'text/event-stream',
    frames: [
      `data: ${JSON.stringify({ type: 'transcript.text.delta', delta: 'Hel', logprobs: [] })}\n\n`,
      `data: ${JSON.stringify({ type: 'transcript.text.delta', delta: 'lo.', logprobs: [] })}\n\n`,
      done.slice(0, 40),
      done.slice(40),
    ],
  };
}

/** The usage of gpt-4o-mini-tts's streamed speech: text tokens in, audio tokens out. */
const SPEECH_USAGE = { input_tokens: 12, output_tokens: 900, total_tokens: 912 };

/** The value of a multipart form field in a request's raw bytes. */
function formField(request: ReceivedRequest, name: string): string | undefined {
  const match = new RegExp(`name="${name}"\\r\\n\\r\\n([^\\r]*)\\r\\n`).exec(request.raw.toString('latin1'));
  return match?.[1];
}

beforeAll(async () => {
  mock = await startProviderMock();
  // A multipart body names no JSON model: the mock's scripts for '' answer the audio uploads.
  mock.script('', (request): MockReply | undefined => {
    const prompt = formField(request, 'prompt') ?? '';
    if (prompt in STREAMED_USAGE) return transcriptStream(STREAMED_USAGE[prompt]?.usage);
    if (prompt === 'stream-without-usage') return transcriptStream(undefined);
    const answer = TRANSCRIPTIONS[formField(request, 'prompt') ?? ''];
    return answer === undefined ? undefined : { json: answer };
  });
  // Speech: the audio bytes (https://platform.openai.com/docs/api-reference/audio/createSpeech).
  for (const model of ['tts-1', 'tts-1-hd'])
    mock.script(model, () => ({
      frames: [new Uint8Array([0xff, 0xf3, 0x44, 0xc4])],
      contentType: 'audio/mpeg',
    }));
  // gpt-4o-mini-tts: the audio bytes, or with `stream_format: "sse"` `speech.audio.delta` events of
  // base64 audio and a closing `speech.audio.done` with the usage
  // (https://platform.openai.com/docs/api-reference/audio/speech-audio-done-event).
  mock.script('gpt-4o-mini-tts', (request) =>
    request.body?.stream_format === 'sse'
      ? {
          contentType: 'text/event-stream',
          frames: [
            `data: ${JSON.stringify({ type: 'speech.audio.delta', audio: Buffer.from([0xff, 0xf3]).toString('base64') })}\n\n`,
            `data: ${JSON.stringify({ type: 'speech.audio.delta', audio: Buffer.from([0x44, 0xc4]).toString('base64') })}\n\n`,
            `data: ${JSON.stringify({ type: 'speech.audio.done', usage: SPEECH_USAGE })}\n\n`,
          ],
        }
      : { frames: [new Uint8Array([0xff, 0xf3, 0x44, 0xc4])], contentType: 'audio/mpeg' },
  );
  const virtualKeys = Object.fromEntries(
    [
      ...Object.keys(TRANSCRIPTIONS),
      ...Object.keys(STREAMED_USAGE),
      'stream-without-usage',
      'speech',
      'speech-hd',
      'speech-mini',
      'speech-mini-stream',
    ].map((slug) => [
      slug,
      {
        provider: 'openai',
        api_key: 'sk-audio-probe',
        options: { custom_host: `${mock.url}/v1` },
        usage_limits: { credit_limit: 100 },
      },
    ]),
  );
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [
        { id: 'team', key: KEYS.team },
        { id: 'admin', key: KEYS.admin, role: 'admin' },
      ],
      virtual_keys: virtualKeys,
    },
    env: { PK_DATA_DIR: dataDir.path, PK_LOG_STORE_FLUSH_MS: '50' },
  });
}, 30_000);
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
  dataDir.remove();
});

const adminGet = <T>(path: string): Promise<T> => adminGetter(gateway.base, KEYS.admin)<T>(path);

function client(slug: string, traceId: string): OpenAI {
  return new OpenAI({
    baseURL: gateway.base,
    apiKey: 'unused',
    maxRetries: 0,
    defaultHeaders: {
      'x-portkey-api-key': KEYS.team,
      'x-portkey-virtual-key': slug,
      'x-portkey-trace-id': traceId,
    },
  });
}

/** What a virtual key's budget has counted once its one request was settled. */
async function budgetCostOf(slug: string): Promise<number> {
  let costUsd = -1;
  await expect
    .poll(
      async () => {
        const usage = (
          await adminGet<{ current_usage: { requests: number; cost_usd: number } }>(`/virtual-keys/${slug}`)
        ).current_usage;
        costUsd = usage.cost_usd;
        return usage.requests;
      },
      { timeout: 5000 },
    )
    .toBe(1);
  return costUsd;
}

describe('audio priced by its duration', () => {
  // $0.36 per hour of audio = $0.0001 per second.
  const cases = [
    // 90 billed seconds (the usage's, not the exact 89.6 s duration) × $0.0001 = $0.009.
    { slug: 'verbose-with-usage', format: 'verbose_json', cost: 0.009 },
    // 120 s × $0.0001 = $0.012.
    { slug: 'json-with-usage', format: 'json', cost: 0.012 },
    // 30 s (the duration: no usage) × $0.0001 = $0.003.
    { slug: 'verbose-duration-only', format: 'verbose_json', cost: 0.003 },
  ] as const;

  it.each(cases)(
    'a whisper-1 transcription ($slug) costs the seconds of its audio at 0.006 USD a minute',
    async ({ slug, format, cost }) => {
      const traceId = `audio-${slug}`;
      const answer = await client(slug, traceId).audio.transcriptions.create({
        model: 'whisper-1',
        file: await toFile(AUDIO, 'probe.wav', { type: 'audio/wav' }),
        prompt: slug,
        response_format: format,
      });
      expect(answer.text).toBe('Hello.');
      const sent = mock.received.filter((request) => formField(request, 'prompt') === slug);
      expect(sent.map((request) => request.path)).toEqual(['/v1/audio/transcriptions']);
      expect(formField(sent[0]!, 'model')).toBe('whisper-1');
      const record = await listedRecordOf(adminGet, traceId);
      expect(record).toMatchObject({ model: 'whisper-1', cost: cost, cost_status: 'priced' });
      expect(await budgetCostOf(slug)).toBeCloseTo(cost, 12);
    },
  );

  it('a whisper-1 translation costs the duration its verbose_json answer gives', async () => {
    const traceId = 'audio-translation-verbose';
    const answer = await client('translation-verbose', traceId).audio.translations.create({
      model: 'whisper-1',
      file: await toFile(AUDIO, 'probe.wav', { type: 'audio/wav' }),
      prompt: 'translation-verbose',
      response_format: 'verbose_json',
    });
    expect(answer.text).toBe('Hello.');
    const sent = mock.received.filter((request) => formField(request, 'prompt') === 'translation-verbose');
    expect(sent.map((request) => request.path)).toEqual(['/v1/audio/translations']);
    // 60 s × $0.0001 = $0.006.
    expect(await listedRecordOf(adminGet, traceId)).toMatchObject({ cost: 0.006, cost_status: 'priced' });
    expect(await budgetCostOf('translation-verbose')).toBeCloseTo(0.006, 12);
  });

  it('a gpt-4o-transcribe transcription costs its tokens, audio at the audio price', async () => {
    const traceId = 'audio-gpt-4o-transcribe-tokens';
    await client('gpt-4o-transcribe-tokens', traceId).audio.transcriptions.create({
      model: 'gpt-4o-transcribe',
      file: await toFile(AUDIO, 'probe.wav', { type: 'audio/wav' }),
      prompt: 'gpt-4o-transcribe-tokens',
    });
    // gpt-4o-transcribe: $2.50 text in, $6 audio in, $10 out per 1M:
    // (4 × 2.5 + 10 × 6 + 45 × 10) / 1M = 520 / 1M = $0.00052.
    expect(await listedRecordOf(adminGet, traceId)).toMatchObject({
      model: 'gpt-4o-transcribe',
      cost: 0.00052,
      cost_status: 'priced',
    });
    expect(await budgetCostOf('gpt-4o-transcribe-tokens')).toBeCloseTo(0.00052, 12);
  });

  it('a whisper-1 transcription whose answer says no duration is no_usage, never $0', async () => {
    const traceId = 'audio-json-without-usage';
    const answer = await client('json-without-usage', traceId).audio.transcriptions.create({
      model: 'whisper-1',
      file: await toFile(AUDIO, 'probe.wav', { type: 'audio/wav' }),
      prompt: 'json-without-usage',
      response_format: 'json',
    });
    expect(answer.text).toBe('Hello.');
    expect(await listedRecordOf(adminGet, traceId)).toMatchObject({ cost: null, cost_status: 'no_usage' });
  });
});

describe('streamed transcriptions priced by the usage of their done event', () => {
  const cases = [
    // gpt-4o-transcribe: $2.50 text in, $6 audio in, $10 out per 1M:
    // (4 × 2.5 + 10 × 6 + 45 × 10) / 1M = 520 / 1M = $0.00052, as the same usage not streamed.
    { slug: 'stream-gpt-4o-transcribe', tokens: [14, 45, 59], cost: 0.00052, budget: 0.00052 },
    // gpt-4o-mini-transcribe: $1.25 text in, $3 audio in, $5 out per 1M:
    // (5 × 1.25 + 15 × 3 + 30 × 5) / 1M = 201.25 / 1M = $0.00020125; a budget counts whole
    // micro-dollars, rounded up: 202 µ$.
    { slug: 'stream-gpt-4o-mini-transcribe', tokens: [20, 30, 50], cost: 0.00020125, budget: 0.000202 },
  ] as const;

  it.each(cases)(
    'a streamed $slug transcription costs the tokens its transcript.text.done event reports',
    async ({ slug, tokens, cost, budget }) => {
      const traceId = `audio-${slug}`;
      const model = STREAMED_USAGE[slug]?.model as 'gpt-4o-transcribe';
      const stream = await client(slug, traceId).audio.transcriptions.create({
        model,
        file: await toFile(AUDIO, 'probe.wav', { type: 'audio/wav' }),
        prompt: slug,
        stream: true,
      });
      const events: { type: string }[] = [];
      for await (const event of stream) events.push(event);
      // The client got every event as sent, the done event whole with its usage.
      expect(events.map((event) => event.type)).toEqual([
        'transcript.text.delta',
        'transcript.text.delta',
        'transcript.text.done',
      ]);
      expect(events[2]).toMatchObject({ text: 'Hello.', usage: STREAMED_USAGE[slug]?.usage });
      const sent = mock.received.filter((request) => formField(request, 'prompt') === slug);
      expect(sent.map((request) => request.path)).toEqual(['/v1/audio/transcriptions']);
      expect(formField(sent[0]!, 'model')).toBe(model);
      expect(formField(sent[0]!, 'stream')).toBe('true');
      const record = await listedRecordOf(adminGet, traceId);
      expect(record).toMatchObject({
        model,
        stream: true,
        usage: { prompt_tokens: tokens[0], completion_tokens: tokens[1], total_tokens: tokens[2] },
        cost,
        cost_status: 'priced',
      });
      expect(await budgetCostOf(slug)).toBeCloseTo(budget, 12);
    },
  );

  it('a streamed transcription whose done event carries no usage is no_usage, never $0', async () => {
    const traceId = 'audio-stream-without-usage';
    const stream = await client('stream-without-usage', traceId).audio.transcriptions.create({
      model: 'gpt-4o-transcribe',
      file: await toFile(AUDIO, 'probe.wav', { type: 'audio/wav' }),
      prompt: 'stream-without-usage',
      stream: true,
    });
    const texts: string[] = [];
    for await (const event of stream) if (event.type === 'transcript.text.done') texts.push(event.text);
    expect(texts).toEqual(['Hello.']);
    expect(await listedRecordOf(adminGet, traceId)).toMatchObject({
      model: 'gpt-4o-transcribe',
      cost: null,
      cost_status: 'no_usage',
    });
  });
});

describe('speech: tts-1 by characters (no price: unknown_price), gpt-4o-mini-tts by tokens', () => {
  it.each([
    ['tts-1', 'speech'],
    ['tts-1-hd', 'speech-hd'],
  ] as const)(
    '%s speech is unknown_price: the price data has no per-character price for it, never $0',
    async (model, slug) => {
      const traceId = `audio-${slug}`;
      const speech = await client(slug, traceId).audio.speech.create({
        model,
        voice: 'alloy',
        input: 'Hello, world.',
      });
      expect(new Uint8Array(await speech.arrayBuffer())).toEqual(new Uint8Array([0xff, 0xf3, 0x44, 0xc4]));
      expect(mock.forModel(model).map((request) => request.body?.input)).toEqual(['Hello, world.']);
      expect(await listedRecordOf(adminGet, traceId)).toMatchObject({
        model,
        cost: null,
        cost_status: 'unknown_price',
      });
    },
  );

  it('gpt-4o-mini-tts speech as audio bytes reports no tokens: no_usage, never $0', async () => {
    const traceId = 'audio-speech-mini';
    const speech = await client('speech-mini', traceId).audio.speech.create({
      model: 'gpt-4o-mini-tts',
      voice: 'alloy',
      input: 'Hello, bytes.',
    });
    expect(new Uint8Array(await speech.arrayBuffer())).toEqual(new Uint8Array([0xff, 0xf3, 0x44, 0xc4]));
    expect(mock.forModel('gpt-4o-mini-tts').map((request) => request.body?.input)).toContain('Hello, bytes.');
    expect(await listedRecordOf(adminGet, traceId)).toMatchObject({
      model: 'gpt-4o-mini-tts',
      cost: null,
      cost_status: 'no_usage',
    });
  });

  it('gpt-4o-mini-tts speech streamed as SSE costs the tokens its speech.audio.done event reports', async () => {
    const traceId = 'audio-speech-mini-stream';
    const speech = await client('speech-mini-stream', traceId).audio.speech.create({
      model: 'gpt-4o-mini-tts',
      voice: 'alloy',
      input: 'Hello, stream.',
      stream_format: 'sse',
    });
    const events = (await speech.text())
      .split('\n\n')
      .filter((frame) => frame.startsWith('data: '))
      .map((frame) => JSON.parse(frame.slice(6)) as { type: string; audio?: string; usage?: unknown });
    expect(events.map((event) => event.type)).toEqual([
      'speech.audio.delta',
      'speech.audio.delta',
      'speech.audio.done',
    ]);
    expect(
      Buffer.concat(events.slice(0, 2).map((event) => Buffer.from(event.audio ?? '', 'base64'))),
    ).toEqual(Buffer.from([0xff, 0xf3, 0x44, 0xc4]));
    expect(events[2]?.usage).toEqual(SPEECH_USAGE);
    const sent = mock
      .forModel('gpt-4o-mini-tts')
      .filter((request) => request.body?.input === 'Hello, stream.');
    expect(sent.map((request) => [request.path, request.body?.stream_format])).toEqual([
      ['/v1/audio/speech', 'sse'],
    ]);
    // gpt-4o-mini-tts: $0.60 per 1M text tokens in, $12 per 1M audio tokens out:
    // (12 × 0.6 + 900 × 12) / 1M = 10,807.2 / 1M = $0.0108072; the budget counts 10,808 µ$.
    expect(await listedRecordOf(adminGet, traceId)).toMatchObject({
      model: 'gpt-4o-mini-tts',
      usage: { prompt_tokens: 12, completion_tokens: 900, total_tokens: 912 },
      cost: 0.0108072,
      cost_status: 'priced',
    });
    expect(await budgetCostOf('speech-mini-stream')).toBeCloseTo(0.010808, 12);
  });
});
