import { createErrorEnvelope } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { messagesErrorBodyOf, messagesErrorOutput } from './errors.js';

describe('messagesErrorBodyOf', () => {
  it('gives pk’s own errors Anthropic’s shape with the PK_ERR code', () => {
    expect(
      messagesErrorBodyOf(createErrorEnvelope({ code: 'PK_ERR_UNAUTHORIZED', message: 'no key' }), 401),
    ).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: 'no key', code: 'PK_ERR_UNAUTHORIZED' },
    });
    expect(
      messagesErrorBodyOf(createErrorEnvelope({ code: 'PK_ERR_INTERNAL', message: 'oops' }), 500).error.type,
    ).toBe('api_error');
  });

  it('keeps an Anthropic error type, derives the others from the status', () => {
    const vendor = (type: string | null, code: string | null = null) => ({
      error: { message: 'm', type, param: null, code },
    });
    expect(messagesErrorBodyOf(vendor('overloaded_error'), 529).error).toEqual({
      type: 'overloaded_error',
      message: 'm',
    });
    expect(messagesErrorBodyOf(vendor('requests'), 429).error.type).toBe('rate_limit_error');
    expect(messagesErrorBodyOf(vendor(null), 413).error.type).toBe('request_too_large');
    expect(messagesErrorBodyOf(vendor('server_error'), 503).error.type).toBe('api_error');
    expect(
      messagesErrorBodyOf(vendor('invalid_request_error', 'context_length_exceeded'), 400).error,
    ).toEqual({
      type: 'invalid_request_error',
      message: 'm',
      code: 'context_length_exceeded',
    });
  });

  it('gives a status the type Anthropic documents for it, whatever type the provider used', () => {
    const vendor = (type: string | null, code: string | null = null) => ({
      error: { message: 'm', type, param: null, code },
    });
    // OpenAI answers a bad key with 401 invalid_request_error; Anthropic's SDK expects authentication_error.
    expect(messagesErrorBodyOf(vendor('invalid_request_error', 'invalid_api_key'), 401).error).toEqual({
      type: 'authentication_error',
      message: 'm',
      code: 'invalid_api_key',
    });
    expect(messagesErrorBodyOf(vendor('invalid_request_error'), 403).error.type).toBe('permission_error');
    expect(messagesErrorBodyOf(vendor('invalid_request_error'), 404).error.type).toBe('not_found_error');
    expect(messagesErrorBodyOf(vendor('api_error'), 500).error.type).toBe('api_error');
    // Bedrock's ModelStreamErrorException (424): the model failed, not the request.
    expect(messagesErrorBodyOf(vendor('modelStreamErrorException'), 424).error.type).toBe('api_error');
  });
});

describe('messagesErrorOutput', () => {
  const eventBody = (type: string | null, code: string | null = null) => {
    const output = messagesErrorOutput({ error: { message: 'm', type, param: null, code } });
    return JSON.parse(output.type === 'error' ? String(output.data) : '{}') as {
      error: { type: string };
    };
  };

  it('gives a Bedrock exception the type of the status it stands for', () => {
    expect(eventBody('throttlingException').error.type).toBe('rate_limit_error');
    expect(eventBody('validationException').error.type).toBe('invalid_request_error');
    expect(eventBody('modelStreamErrorException').error.type).toBe('api_error');
    expect(eventBody('internalServerException').error.type).toBe('api_error');
  });

  it('keeps an Anthropic type, and gives pk’s own codes their catalogue status’s type', () => {
    expect(eventBody('overloaded_error').error.type).toBe('overloaded_error');
    expect(eventBody('hooks_failed', 'PK_ERR_GUARDRAIL_DENIED').error.type).toBe('invalid_request_error');
    expect(eventBody('api_error', 'PK_ERR_STREAM_INTERRUPTED').error.type).toBe('api_error');
  });

  it('keeps a provider’s other error fields as sent: Azure’s innererror names the content filter', () => {
    const innererror = {
      code: 'ResponsibleAIPolicyViolation',
      content_filter_result: { violence: { filtered: true, severity: 'medium' } },
    };
    const envelope = {
      error: { message: 'filtered', type: null, param: 'prompt', code: 'content_filter', innererror },
    };
    expect(messagesErrorBodyOf(envelope, 400)).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'filtered', code: 'content_filter', innererror },
    });
  });
});
