import { describe, expect, it } from 'vitest';
import { isForwardableHeader, withForwardedHeaders } from './forward-headers.js';

const upstream = {
  url: 'https://api.openai.com/v1/chat/completions',
  method: 'POST',
  headers: { authorization: 'Bearer sk-provider', 'content-type': 'application/json' },
  body: '{}',
};

describe('forwarded headers', () => {
  it('adds forwarded headers after the provider headers, lower-cased', () => {
    const result = withForwardedHeaders(upstream, { 'X-Custom-A': 'a', 'OpenAI-Organization': 'org-1' });
    expect(result.headers).toEqual({
      authorization: 'Bearer sk-provider',
      'content-type': 'application/json',
      'x-custom-a': 'a',
      'openai-organization': 'org-1',
    });
    expect(upstream.headers).not.toHaveProperty('x-custom-a');
  });

  it.each([
    'Connection',
    'transfer-encoding',
    'Host',
    'content-length',
    'upgrade',
    'te',
    'accept-encoding',
    'x-portkey-api-key',
  ])('never forwards %s', (name) => {
    expect(isForwardableHeader(name)).toBe(false);
    expect(withForwardedHeaders(upstream, { [name]: 'x' })).toBe(upstream);
  });

  it.each(['Authorization', 'x-api-key', 'api-key', 'x-goog-api-key'])(
    'a forwarded %s never replaces the credential the request carries',
    (name) => {
      const carrying = {
        ...upstream,
        headers: { ...upstream.headers, [name.toLowerCase()]: 'stored-secret' },
      };
      const result = withForwardedHeaders(carrying, { [name]: 'client-value', 'x-custom-trace': 't-1' });
      expect(result.headers[name.toLowerCase()]).toBe('stored-secret');
      expect(result.headers['x-custom-trace']).toBe('t-1');
    },
  );

  it('a forwarded credential header the request does not carry is sent', () => {
    const result = withForwardedHeaders(upstream, { 'X-Api-Key': 'client-own-key' });
    expect(result.headers['x-api-key']).toBe('client-own-key');
    expect(result.headers.authorization).toBe('Bearer sk-provider');
  });

  it('returns the request unchanged when nothing is forwarded', () => {
    expect(withForwardedHeaders(upstream, undefined)).toBe(upstream);
    expect(withForwardedHeaders(upstream, {})).toBe(upstream);
  });
});
