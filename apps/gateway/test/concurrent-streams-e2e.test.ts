import OpenAI from 'openai';
import { createHeaders } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type GatewayProcess, startGateway } from './server-process.js';
import { logLineWhere } from './support/output-lines.js';

// Found by a soak run: every open stream listens to the gateway's one shutdown signal (its
// listener is removed when the stream ends), so an eleventh stream open at once made Node print
// "MaxListenersExceededWarning: Possible EventTarget memory leak detected. 11 abort listeners added
// to [AbortSignal]" on stderr: a false alarm of a leak, at a concurrency every gateway reaches.
const STREAMS = 16;
const WORDS = Array.from({ length: 20 }, (_, index) => `word${index}`);
const TEXT = WORDS.join(' ');

let upstream: MockOpenAI;
let gateway: GatewayProcess;

beforeAll(async () => {
  // 20 chunks 100 ms apart: each stream stays open for about 2 s.
  upstream = await startMockOpenAI({ chunks: WORDS.length, chunkDelayMs: 100, text: TEXT });
  gateway = await startGateway({ PK_LOG_STORE: 'off' });
});

afterAll(async () => {
  gateway?.child.kill('SIGKILL');
  await upstream?.close();
});

describe('many streams open at once', () => {
  it('sixteen concurrent streams are answered in full and Node warns of no listener leak', async () => {
    const client = new OpenAI({
      baseURL: `${gateway.url}/v1`,
      apiKey: 'sk-concurrent-streams',
      maxRetries: 0,
      defaultHeaders: createHeaders({ provider: 'openai', customHost: `${upstream.url}/v1` }),
    });
    const streams = await Promise.all(
      Array.from({ length: STREAMS }, (_, index) =>
        client.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: `stream ${index}` }],
          stream: true,
        }),
      ),
    );
    // Every stream has sent its first chunk before any is read further: all sixteen are open at once.
    const iterators = streams.map((stream) => stream[Symbol.asyncIterator]());
    const firsts = await Promise.all(iterators.map((iterator) => iterator.next()));
    const texts = await Promise.all(
      iterators.map(async (iterator, index) => {
        let text = firsts[index]?.value?.choices[0]?.delta.content ?? '';
        for (let next = await iterator.next(); !next.done; next = await iterator.next())
          text += next.value.choices[0]?.delta.content ?? '';
        return text;
      }),
    );

    expect(texts).toEqual(Array.from({ length: STREAMS }, () => TEXT));
    expect(upstream.requests.get('/v1/chat/completions')).toBe(STREAMS);
    // The warning is written when the eleventh listener is added, long before these lines.
    await gateway.waitForLines(
      logLineWhere((line) => line.status === 200 && line.path === '/v1/chat/completions'),
      { count: STREAMS },
    );
    const warnings = gateway
      .output()
      .split('\n')
      .filter((line) => line.includes('Warning') || line.includes('memory leak'));
    expect(warnings).toEqual([]);
  });
});
