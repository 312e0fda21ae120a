import { describe, expect, it } from 'vitest';
import type { ProviderTarget } from '../spec/provider-adapter.js';
import { bedrockFramesFromChunks } from '../test-support/bedrock-frames.js';
import { readChunkFixture, sseFramesFromChunks } from '../test-support/fixtures.js';
import { readSseEvents } from '../test-support/sse-client.js';
import { BODY_IDLE_MESSAGE } from './abort-reason.js';
import { callProvider, type ProviderAttemptOutcome } from './call-provider.js';
import type { Transport } from './transport.js';

const encoder = new TextEncoder();

/** A body that sends each piece on its own read, then ends (or fails with `failWith`). */
function bodyOf(pieces: readonly (string | Uint8Array)[], failWith?: Error): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream({
    pull(controller) {
      const piece = pieces[index];
      index += 1;
      if (piece !== undefined) controller.enqueue(typeof piece === 'string' ? encoder.encode(piece) : piece);
      else if (failWith) controller.error(failWith);
      else controller.close();
    },
  });
}

function transportAnswering(body: ReadableStream<Uint8Array>): Transport {
  return {
    send: async () => ({ status: 200, headers: { 'content-type': 'text/event-stream' }, body }),
    close: async () => {},
  };
}

function streamCall(provider: 'openai' | 'anthropic' | ProviderTarget, body: ReadableStream<Uint8Array>) {
  return callProvider({
    target: typeof provider === 'string' ? { provider, api_key: 'k' } : provider,
    request: {
      endpoint: 'chat.completions',
      body: { model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true, max_tokens: 5 },
    },
    transport: transportAnswering(body),
  });
}

async function eventsOf(outcome: ProviderAttemptOutcome) {
  if (!outcome.ok || outcome.value.kind !== 'stream') throw new Error('expected a stream');
  return { events: await readSseEvents(outcome.value.stream), progress: outcome.value.progress };
}

const openAIFrames = sseFramesFromChunks(readChunkFixture('openai', 'stream-error.chunks.txt'), 'openai');
const [openAIRole = '', openAIText = '', openAIError = ''] = openAIFrames;

describe('a stream that opens with an error is a failed attempt (nothing reached the client yet)', () => {
  it("OpenAI's in-band server_error as the first event: a 500 the engine can retry or fall back on", async () => {
    const outcome = await streamCall('openai', bodyOf([openAIError]));
    expect(outcome).toMatchObject({
      ok: false,
      status: 500,
      error: {
        status: 500,
        type: 'server_error',
        vendorMessage: 'The server had an error while processing your request. Sorry about that!',
        retryable: true,
      },
    });
  });

  it("Anthropic's overloaded_error in the first piece: its own 529", async () => {
    const frames = sseFramesFromChunks(readChunkFixture('anthropic', 'stream-error.chunks.txt'), 'anthropic');
    const outcome = await streamCall('anthropic', bodyOf([frames.join('')]));
    expect(outcome).toMatchObject({
      ok: false,
      status: 529,
      error: { type: 'overloaded_error', vendorMessage: 'Overloaded', retryable: true },
    });
  });

  it('content and an error in the same first piece: still a failure, the content was never sent', async () => {
    const outcome = await streamCall('openai', bodyOf([openAIRole + openAIText + openAIError]));
    expect(outcome).toMatchObject({ ok: false, status: 500, error: { type: 'server_error' } });
  });

  it('a Messages stream translated to an OpenAI-family provider: the same failure, in the client’s dialect later', async () => {
    const outcome = await callProvider({
      target: { provider: 'openai', api_key: 'k' },
      request: {
        endpoint: 'messages',
        body: { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }], stream: true },
      },
      transport: transportAnswering(bodyOf([openAIError])),
    });
    expect(outcome).toMatchObject({ ok: false, status: 500, error: { type: 'server_error' } });
  });

  it('a body that breaks before its first piece: a 502 PK_ERR_STREAM_INTERRUPTED', async () => {
    const outcome = await streamCall('openai', bodyOf([], new Error('socket hang up')));
    expect(outcome).toMatchObject({
      ok: false,
      status: 502,
      error: { code: 'PK_ERR_STREAM_INTERRUPTED', retryable: true },
    });
  });

  it('an empty body (ended before [DONE], nothing sent): a 502 PK_ERR_STREAM_INTERRUPTED', async () => {
    const outcome = await streamCall('openai', bodyOf([]));
    expect(outcome).toMatchObject({ ok: false, status: 502, error: { code: 'PK_ERR_STREAM_INTERRUPTED' } });
  });
});

const BEDROCK_TARGET: ProviderTarget = {
  provider: 'bedrock',
  aws_region: 'us-east-1',
  aws_access_key_id: 'AKIDEXAMPLE',
  aws_secret_access_key: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const bedrockOpening = (line: string) => bodyOf(bedrockFramesFromChunks([line]));
const googleOpening = (name: string) =>
  bodyOf(sseFramesFromChunks(readChunkFixture('google', name), 'google'));
const googleOpeningLine = (line: string) => bodyOf(sseFramesFromChunks([line], 'google'));

describe('a stream that opens with a Bedrock exception or a Google error fails with the status it stands for', () => {
  it('Bedrock validationException first: a 400 no retry config retries', async () => {
    const [line = ''] = readChunkFixture('bedrock', 'stream-opens-with-validation.chunks.txt');
    const outcome = await streamCall(BEDROCK_TARGET, bedrockOpening(line));
    expect(outcome).toMatchObject({
      ok: false,
      status: 400,
      error: { type: 'validationException', retryable: false },
    });
  });

  it('Bedrock throttlingException first: a retryable 429', async () => {
    const [line = ''] = readChunkFixture('bedrock', 'stream-opens-with-throttling.chunks.txt');
    const outcome = await streamCall(BEDROCK_TARGET, bedrockOpening(line));
    expect(outcome).toMatchObject({
      ok: false,
      status: 429,
      error: { type: 'throttlingException', retryable: true },
    });
  });

  it.each([
    ['serviceUnavailableException', 503, true],
    ['modelStreamErrorException', 424, false],
    ['internalServerException', 500, true],
    ['modelTimeoutException', 408, true],
  ])(
    'Bedrock %s first: %i, as the ConverseStreamOutput reference gives it',
    async (type, status, retryable) => {
      const line = JSON.stringify({ [type]: { message: 'An error occurred.' } });
      const outcome = await streamCall(BEDROCK_TARGET, bedrockOpening(line));
      expect(outcome).toMatchObject({ ok: false, status, error: { type, retryable } });
    },
  );

  it('Gemini’s in-stream {"error":{"code":429,"status":"RESOURCE_EXHAUSTED"}} first: a retryable 429', async () => {
    const outcome = await streamCall(
      { provider: 'google', api_key: 'g' },
      googleOpening('stream-opens-with-429.chunks.txt'),
    );
    expect(outcome).toMatchObject({
      ok: false,
      status: 429,
      error: { type: 'RESOURCE_EXHAUSTED', code: 429, retryable: true },
    });
  });

  it('Gemini’s 400 INVALID_ARGUMENT first: a 400, not retried', async () => {
    const outcome = await streamCall(
      { provider: 'google', api_key: 'g' },
      googleOpening('stream-opens-with-400.chunks.txt'),
    );
    expect(outcome).toMatchObject({ ok: false, status: 400, error: { retryable: false } });
  });

  it('Vertex AI Gemini streams the same way: its 429 first is a 429', async () => {
    const outcome = await streamCall(
      {
        provider: 'vertex-ai',
        api_key: 'ya29.token',
        vertex_project_id: 'my-project-123',
        vertex_region: 'us-central1',
      },
      googleOpening('stream-opens-with-429.chunks.txt'),
    );
    expect(outcome).toMatchObject({ ok: false, status: 429, error: { type: 'RESOURCE_EXHAUSTED' } });
  });

  it('a Google status without a code still maps (UNAVAILABLE: 503)', async () => {
    const line = '{"error": {"message": "The model is overloaded.","status": "UNAVAILABLE"}}';
    const outcome = await streamCall({ provider: 'google', api_key: 'g' }, googleOpeningLine(line));
    expect(outcome).toMatchObject({ ok: false, status: 503 });
  });

  it('Cohere’s message-end with finish_reason ERROR first: a retryable 500 (its internal error)', async () => {
    const lines = readChunkFixture('cohere', 'stream-error.chunks.txt');
    const frames = sseFramesFromChunks([lines.at(-1) ?? ''], 'cohere');
    const outcome = await streamCall({ provider: 'cohere', api_key: 'co' }, bodyOf(frames));
    expect(outcome).toMatchObject({ ok: false, status: 500, error: { retryable: true } });
  });
});

describe('a stream that started well', () => {
  it('hands on the piece read ahead first, then the rest, byte for byte', async () => {
    const frames = sseFramesFromChunks(readChunkFixture('openai', 'text.chunks.txt'), 'openai');
    const outcome = await streamCall('openai', bodyOf(frames));
    const { events, progress } = await eventsOf(outcome);
    // The usage chunk is kept for the log, not sent: the client did not ask for it.
    const sent = readChunkFixture('openai', 'text.chunks.txt').filter((line) => !line.includes('"usage":{'));
    expect(events.map((event) => event.data)).toEqual(sent);
    expect(progress?.error).toBeUndefined();
    expect(progress?.chunks).toBe(sent.length - 1);
  });

  it('an error after the first piece goes to the client in-band and is kept in the progress', async () => {
    const outcome = await streamCall('openai', bodyOf([openAIRole, openAIText, openAIError]));
    const { events, progress } = await eventsOf(outcome);
    expect(events.at(-1)?.event).toBe('error');
    expect(progress?.error).toMatchObject({ type: 'server_error' });
    expect(progress?.chunks).toBe(2);
  });

  it("a body that stalls past the transport's idle timeout ends with a message that says so", async () => {
    const stalled = Object.assign(new Error('Body Timeout Error'), { code: 'UND_ERR_BODY_TIMEOUT' });
    const outcome = await streamCall('openai', bodyOf([openAIRole, openAIText], stalled));
    const { events, progress } = await eventsOf(outcome);
    expect(events.at(-1)?.event).toBe('error');
    expect(JSON.parse(events.at(-1)?.data ?? '{}').error).toMatchObject({
      code: 'PK_ERR_STREAM_INTERRUPTED',
      message: BODY_IDLE_MESSAGE,
    });
    expect(progress?.error).toMatchObject({ code: 'PK_ERR_STREAM_INTERRUPTED', message: BODY_IDLE_MESSAGE });
  });
});
