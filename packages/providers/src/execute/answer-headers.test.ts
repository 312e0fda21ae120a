import { describe, expect, it } from 'vitest';
import { withPassedAnswerHeaders, withPassedRawAnswerHeaders } from './answer-headers.js';

const upstream = {
  'content-type': 'application/octet-stream',
  'content-disposition': 'attachment; filename="batch.jsonl"',
  'content-length': '2048',
  'x-request-id': 'req_123',
  'request-id': 'req_011CAnthropic',
  'openai-processing-ms': '412',
  'openai-organization': 'acme-prod',
  'x-ratelimit-remaining-tokens': '149984',
  'set-cookie': '__cf_bm=abc',
};

describe('the provider’s headers passed to the client', () => {
  it('passes its rate-limit headers, request ids and processing time, and nothing of its account', () => {
    expect(withPassedAnswerHeaders({ 'content-type': 'application/json' }, upstream)).toEqual({
      'content-type': 'application/json',
      'x-request-id': 'req_123',
      'request-id': 'req_011CAnthropic',
      'openai-processing-ms': '412',
      'x-ratelimit-remaining-tokens': '149984',
    });
  });

  it('passes a pass-through answer’s content-disposition and content-length too', () => {
    expect(withPassedRawAnswerHeaders({}, upstream)).toEqual({
      'content-disposition': 'attachment; filename="batch.jsonl"',
      'content-length': '2048',
      'x-request-id': 'req_123',
      'request-id': 'req_011CAnthropic',
      'openai-processing-ms': '412',
      'x-ratelimit-remaining-tokens': '149984',
    });
  });
});

describe('Anthropic’s rate-limit headers', () => {
  it('pass as Anthropic sent them: the Anthropic SDK and Claude Code read anthropic-ratelimit-*', () => {
    const anthropic = {
      'request-id': 'req_011CAnthropic',
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '49',
      'anthropic-ratelimit-requests-reset': '2026-12-07T22:30:00Z',
      'anthropic-ratelimit-input-tokens-remaining': '39000',
      'anthropic-organization-id': 'org-uuid',
    };
    expect(withPassedAnswerHeaders({}, anthropic)).toEqual({
      'request-id': 'req_011CAnthropic',
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '49',
      'anthropic-ratelimit-requests-reset': '2026-12-07T22:30:00Z',
      'anthropic-ratelimit-input-tokens-remaining': '39000',
    });
  });
});
