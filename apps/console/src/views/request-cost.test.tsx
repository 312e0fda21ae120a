import { render } from 'preact';
import { describe, expect, it, vi } from 'vitest';
import type { LogRecord } from '../log-record.js';
import { flushRenders, testRoot } from '../test-dom.js';
import { RequestView } from './request.js';

const root = testRoot();

/** The console API answering `GET /logs/:id` with `record`. */
function answerWith(record: LogRecord): void {
  vi.stubGlobal(
    'fetch',
    async () =>
      new Response(JSON.stringify(record), { status: 200, headers: { 'content-type': 'application/json' } }),
  );
}

/** A Realtime session's record as `GET /v1/logs/:id` answers it: its responses and its transcriptions. */
const session: LogRecord = {
  id: 'log_realtime',
  created_at: '2026-01-01T00:00:00.000Z',
  status: 101,
  endpoint: 'realtime',
  provider: 'openai',
  model: 'gpt-realtime',
  answered_model: 'gpt-realtime',
  usage: { prompt_tokens: 200, completion_tokens: 100, total_tokens: 300, cached_tokens: 20 },
  cost: 0.00538,
  cost_status: 'priced',
  cost_source: 'price_table',
  cost_parts: [
    { part: 'responses', model: 'gpt-realtime', events: 2, total_tokens: 300, cost: 0.00496 },
    { part: 'input_audio_transcription', model: 'whisper-1', events: 1, seconds: 4.2, cost: 0.00042 },
    { part: 'input_audio_transcription', model: 'house-transcribe', events: 3, cost: null },
  ],
  cache_status: null,
  retries: 0,
  attempts: [],
  metadata: {},
};

const summary = (label: string) =>
  [...root().querySelectorAll('dl.summary dt')].find((term) => term.textContent === label)?.nextElementSibling
    ?.textContent;

describe('a request’s cost in its detail', () => {
  it('shows what a Realtime session’s cost is made of: each part, its model, what it sums and its cost, an unpriced part said to be outside the total', async () => {
    answerWith(session);
    render(<RequestView id="log_realtime" />, root());
    await flushRenders();
    expect(summary('Cost')).toBe('$0.005380');
    expect(summary('Cost source')).toBe('pk’s price table (@pk/prices and the settings’ prices:)');
    expect(summary('Cost status')).toBe('Priced from its 3 parts (Cost parts, below)');
    expect(summary('Tokens')).toBe('300 (200 in of which 20 cached, 100 out)');
    const table = root().querySelector('table[aria-label="Cost parts"]');
    const rows = [...(table?.querySelectorAll('tbody tr') ?? [])].map((row) =>
      [...row.querySelectorAll('th, td')].map((cell) => cell.textContent),
    );
    expect(rows).toEqual([
      ['Responses', 'gpt-realtime', '2 responses, 300 tokens', '$0.004960'],
      ['Input audio transcription', 'whisper-1', '1 transcription, 4.2 s of audio', '$0.000420'],
      [
        'Input audio transcription',
        'house-transcribe',
        '3 transcriptions',
        'unpriced: no price known for house-transcribe (not in the total)',
      ],
    ]);
  });

  it('shows no parts table for a request priced as one answer', async () => {
    answerWith({ ...session, id: 'log_plain', cost_parts: null });
    render(<RequestView id="log_plain" />, root());
    await flushRenders();
    expect(summary('Cost status')).toBe(
      'Priced from 300 tokens (200 in of which 20 cached, 100 out) of gpt-realtime on openai',
    );
    expect(root().querySelector('table[aria-label="Cost parts"]')).toBeNull();
  });
});
