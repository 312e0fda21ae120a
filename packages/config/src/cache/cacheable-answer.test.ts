import { describe, expect, it } from 'vitest';
import { isCacheableAnswerBody, isCutShort } from './cacheable-answer.js';

const chat = (...reasons: (string | null)[]) => ({
  object: 'chat.completion',
  choices: reasons.map((finish_reason, index) => ({
    index,
    message: { role: 'assistant', content: 'x' },
    finish_reason,
  })),
});

describe('isCutShort', () => {
  it('finds a chat answer cut at the token limit or filtered, in any choice', () => {
    expect(isCutShort(chat('stop'))).toBe(false);
    expect(isCutShort(chat('tool_calls'))).toBe(false);
    expect(isCutShort(chat('length'))).toBe(true);
    expect(isCutShort(chat('stop', 'content_filter'))).toBe(true);
  });

  it('finds the providers’ native reasons a non-strict request keeps', () => {
    for (const reason of [
      'max_tokens',
      'refusal',
      'MAX_TOKENS',
      'SAFETY',
      'RECITATION',
      'guardrail_intervened',
    ])
      expect(isCutShort(chat(reason)), reason).toBe(true);
    for (const reason of ['end_turn', 'STOP', 'COMPLETE', 'eos'])
      expect(isCutShort(chat(reason)), reason).toBe(false);
  });

  it('reads a Messages answer’s stop_reason and a Responses answer’s status', () => {
    expect(isCutShort({ type: 'message', stop_reason: 'end_turn' })).toBe(false);
    expect(isCutShort({ type: 'message', stop_reason: 'max_tokens' })).toBe(true);
    expect(isCutShort({ type: 'message', stop_reason: 'refusal' })).toBe(true);
    expect(isCutShort({ type: 'message', stop_reason: 'model_context_window_exceeded' })).toBe(true);
    expect(isCutShort({ type: 'message', stop_reason: 'stop_sequence', stop_sequence: '4' })).toBe(false);
    expect(isCutShort({ object: 'response', status: 'completed' })).toBe(false);
    expect(isCutShort({ object: 'response', status: 'incomplete' })).toBe(true);
  });

  it('leaves other bodies alone (embeddings, anything not an object)', () => {
    expect(isCutShort({ object: 'list', data: [] })).toBe(false);
    expect(isCutShort(null)).toBe(false);
    expect(isCutShort('text')).toBe(false);
  });
});

describe('isCacheableAnswerBody', () => {
  it('takes a finished answer of each endpoint', () => {
    expect(isCacheableAnswerBody('chat.completions', chat('stop'))).toBe(true);
    expect(isCacheableAnswerBody('embeddings', { object: 'list', data: [] })).toBe(true);
    expect(isCacheableAnswerBody('responses', { object: 'response', status: 'completed', error: null })).toBe(
      true,
    );
    expect(isCacheableAnswerBody('messages', { type: 'message', stop_reason: 'end_turn' })).toBe(true);
  });

  it('refuses an error in a 200, an answer without its endpoint’s content, a Response not completed', () => {
    expect(isCacheableAnswerBody('chat.completions', { error: { message: 'overloaded' } })).toBe(false);
    expect(isCacheableAnswerBody('messages', { type: 'error', error: { type: 'overloaded_error' } })).toBe(
      false,
    );
    expect(isCacheableAnswerBody('chat.completions', { object: 'chat.completion', choices: [] })).toBe(false);
    expect(isCacheableAnswerBody('completions', {})).toBe(false);
    expect(isCacheableAnswerBody('embeddings', { object: 'list' })).toBe(false);
    for (const status of ['queued', 'in_progress', 'failed', 'cancelled', 'incomplete'])
      expect(isCacheableAnswerBody('responses', { object: 'response', status, error: null }), status).toBe(
        false,
      );
    expect(isCacheableAnswerBody('chat.completions', chat('length'))).toBe(false);
    expect(isCacheableAnswerBody('chat.completions', chat('stop', 'error'))).toBe(false);
    expect(isCacheableAnswerBody('chat.completions', null)).toBe(false);
    expect(isCacheableAnswerBody('chat.completions', [chat('stop')])).toBe(false);
  });
});
