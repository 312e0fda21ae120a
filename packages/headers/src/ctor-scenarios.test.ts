import { describe, expect, it } from 'vitest';
import { CTOR_SCENARIOS, SDK_SENT } from './__fixtures__/ctor-scenarios.js';
import { loadRecordedRequests, type RecordedRequest } from './__fixtures__/recorded-requests.js';
import { buildRequestHeaders } from './build-request-headers.js';
import { parseRequestHeaders } from './parse-request-headers.js';

// What undici adds to every native request: not the SDK's options.
const TRANSPORT_HEADERS = new Set([
  'host',
  'connection',
  'content-type',
  'content-length',
  'accept',
  'accept-language',
  'accept-encoding',
  'sec-fetch-mode',
  'user-agent',
]);

const recorded = new Map<string, RecordedRequest>();
for (const request of loadRecordedRequests()) {
  if (request.label.startsWith('ctor: ')) recorded.set(request.label.slice('ctor: '.length), request);
}

/** The official SDK's option headers in one recorded request, names lower-cased. */
function officialHeaders(request: RecordedRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of request.raw_headers) {
    if (!TRANSPORT_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  }
  return headers;
}

describe('constructor scenarios of the official SDK (recordings, ctor: …)', () => {
  it('covers every ctor: scenario of the recordings', () => {
    expect(CTOR_SCENARIOS.map((scenario) => scenario.label)).toEqual([...recorded.keys()]);
  });

  describe.each(CTOR_SCENARIOS.map((scenario) => [scenario.label, scenario] as const))(
    '%s',
    (label, scenario) => {
      const request = recorded.get(label) as RecordedRequest;

      it('parses to the stated options, with no problems', () => {
        const parsed = parseRequestHeaders(request.raw_headers);
        expect(parsed.problems).toEqual([]);
        expect(parsed.options).toEqual({ ...SDK_SENT, ...(scenario.parses ?? scenario.options) });
        expect(parsed.unrecognized).toEqual(scenario.unrecognized ?? []);
        expect(parsed.providerKey).toEqual(scenario.providerKey);
      });

      it('builds the headers the official SDK sent, apart from the listed differences', () => {
        const expected = officialHeaders(request);
        for (const difference of scenario.differences ?? []) {
          expect(difference.reason).not.toBe('');
          if (difference.official) {
            expect(expected[difference.official[0]]).toBe(difference.official[1]);
            delete expected[difference.official[0]];
          }
          if (difference.pk) expect(expected).not.toHaveProperty(difference.pk[0]);
          if (difference.pk) expected[difference.pk[0]] = difference.pk[1];
        }
        expect(buildRequestHeaders({ ...SDK_SENT, ...scenario.options })).toEqual(expected);
      });

      it('reads back the same options from what pk builds as from what the official SDK sent', () => {
        const fromPk = parseRequestHeaders(buildRequestHeaders({ ...SDK_SENT, ...scenario.options }));
        const fromOfficial = parseRequestHeaders(request.raw_headers);
        expect(fromPk.problems).toEqual([]);
        expect(fromPk.options).toEqual(fromOfficial.options);
        expect(fromPk.providerKey).toEqual(fromOfficial.providerKey);
        expect(fromPk.unprefixed).toEqual(fromOfficial.unprefixed);
      });
    },
  );
});
