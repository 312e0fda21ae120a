import { createErrorEnvelope } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { anthropicMessagesDialect as messages } from './anthropic-messages/index.js';
import type { ClientDialect } from './client-dialect.js';
import { openAIResponsesDialect as responses } from './openai-responses/index.js';

// As the gateway holds them: through the interface, whose options are optional.
const openAIResponsesDialect: ClientDialect = responses;
const anthropicMessagesDialect: ClientDialect = messages;

const envelope = createErrorEnvelope({ code: 'PK_ERR_GUARDRAIL_DENIED', message: 'denied by a guardrail' });
const dataOf = (frame: string): Record<string, unknown> => {
  expect(frame.startsWith('event: error\ndata: ')).toBe(true);
  expect(frame.endsWith('\n\n')).toBe(true);
  return JSON.parse(frame.slice('event: error\ndata: '.length)) as Record<string, unknown>;
};

describe('a dialect’s stream error frame', () => {
  it('Responses: the error event numbered where asked, the extra fields after the error’s', () => {
    expect(dataOf(openAIResponsesDialect.errorFrame(envelope)).sequence_number).toBe(0);
    const data = dataOf(
      openAIResponsesDialect.errorFrame(envelope, { sequenceNumber: 7, extra: { hook_results: { a: 1 } } }),
    );
    expect(Object.keys(data)).toEqual([
      'type',
      'sequence_number',
      'code',
      'message',
      'param',
      'error',
      'hook_results',
    ]);
    expect(data).toMatchObject({
      type: 'error',
      sequence_number: 7,
      code: 'PK_ERR_GUARDRAIL_DENIED',
      message: 'denied by a guardrail',
      param: null,
      error: { code: 'PK_ERR_GUARDRAIL_DENIED', message: 'denied by a guardrail' },
      hook_results: { a: 1 },
    });
  });

  it('Messages: Anthropic’s error body, the extra fields beside, no sequence number', () => {
    const plain = dataOf(anthropicMessagesDialect.errorFrame(envelope));
    const data = dataOf(
      anthropicMessagesDialect.errorFrame(envelope, { sequenceNumber: 7, extra: { hook_results: {} } }),
    );
    expect(data).toEqual({ ...plain, hook_results: {} });
    expect(data).toMatchObject({ type: 'error', error: { message: 'denied by a guardrail' } });
    expect(data.sequence_number).toBeUndefined();
  });
});
