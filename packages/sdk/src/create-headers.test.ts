import { PkError } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { createHeaders } from './create-headers.js';

describe('createHeaders', () => {
  it("gives the official createHeaders' headers for its documented example, apart from pk's differences", () => {
    const headers = createHeaders({
      apiKey: 'pk',
      virtualKey: 'vk',
      config: { retry: { attempts: 2 } },
      traceID: 't',
      metadata: { _user: 'u' },
      cacheForceRefresh: true,
      debug: false,
      forwardHeaders: ['X-My-Header', 'userID'],
      requestTimeout: 5000,
      Authorization: 'sk-abc',
    });
    expect(headers).toEqual({
      'x-portkey-api-key': 'pk',
      'x-portkey-virtual-key': 'vk',
      'x-portkey-config': '{"retry":{"attempts":2}}',
      'x-portkey-trace-id': 't',
      'x-portkey-metadata': '{"_user":"u"}',
      'x-portkey-cache-force-refresh': 'true',
      'x-portkey-debug': 'false',
      'x-portkey-forward-headers': 'X-My-Header,userID',
      // A string: fetch would stringify the official SDK's number the same way.
      'x-portkey-request-timeout': '5000',
      authorization: 'sk-abc',
    });
  });

  it('adds no defaults (no strictOpenAiCompliance, no telemetry) and drops client-only options', () => {
    expect(createHeaders({ virtualKey: 'vk', baseURL: 'http://x/v1' })).toEqual({
      'x-portkey-virtual-key': 'vk',
    });
  });

  it('validates a config object first', () => {
    expect(() => createHeaders({ config: JSON.parse('{"targets":[]}') })).toThrow(PkError);
  });
});
