import { describe, expect, it } from 'vitest';
import { loadRecordedRequests } from './__fixtures__/recorded-requests.js';
import { parseRequestHeaders } from './parse-request-headers.js';

const requests = loadRecordedRequests();

describe('every request the official clients sent (recordings)', () => {
  it('has all 393 recorded requests', () => {
    expect(requests).toHaveLength(393);
  });

  it.each(requests.map((request) => [request.seq, request.label, request] as const))(
    '#%i %s parses with no problems',
    (_seq, _label, request) => {
      const parsed = parseRequestHeaders(request.raw_headers);
      expect(parsed.problems).toEqual([]);
      // Wrapped calls repeat the Portkey key as `Authorization: Bearer <key>`: never a provider key.
      if (parsed.options.apiKey !== undefined)
        expect(parsed.providerKey?.key).not.toBe(parsed.options.apiKey);
    },
  );

  it('reads configs as objects or saved ids, and metadata as objects', () => {
    const configs = new Set<string>();
    for (const request of requests) {
      const { config, metadata } = parseRequestHeaders(request.raw_headers).options;
      if (config !== undefined) configs.add(typeof config === 'string' ? config : 'object');
      if (metadata !== undefined) expect(typeof metadata).toBe('object');
    }
    expect([...configs].sort()).toEqual(['object', 'pc-abc-123', 'pc-per-req', 'pc-per-request']);
  });
});
