import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The recordings of the official SDK and the options each `ctor:` scenario was built with, as
// @pk/headers already reconstructed them (read-only: this package's tests share the fixture).
import { CTOR_SCENARIOS } from '../../headers/src/__fixtures__/ctor-scenarios.js';
import {
  loadRecordedRequests,
  type RecordedRequest,
} from '../../headers/src/__fixtures__/recorded-requests.js';
import { Portkey, type PortkeyClientOptions, VERSION } from '../src/index.js';
import { MESSAGES, type RecordingServer, startRecordingServer } from './support/recording-server.js';

const API_KEY = 'pk-test-123';

// What the HTTP stack adds, not the SDK's options: undici's on the official native path, openai's
// (x-stainless-*, its user agent) on pk's.
const TRANSPORT =
  /^(host|connection|content-type|content-length|accept|accept-language|accept-encoding|sec-fetch-mode|user-agent|x-stainless-.*)$/;

const recorded = new Map<string, RecordedRequest>();
for (const request of loadRecordedRequests()) {
  if (request.label.startsWith('ctor: ')) recorded.set(request.label.slice('ctor: '.length), request);
}

function optionHeaders(headers: Iterable<readonly [string, string]>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of headers)
    if (!TRANSPORT.test(name.toLowerCase())) result[name.toLowerCase()] = value;
  return result;
}

let server: RecordingServer;
beforeAll(async () => {
  server = await startRecordingServer();
});
afterAll(() => server.close());

describe("pk's headers against the official SDK's recorded ctor: scenarios", () => {
  it('covers every ctor: scenario of the recordings', () => {
    expect(CTOR_SCENARIOS.map((scenario) => scenario.label)).toEqual([...recorded.keys()]);
  });

  it.each(CTOR_SCENARIOS.map((scenario) => [scenario.label, scenario] as const))(
    '%s',
    async (label, scenario) => {
      const official = optionHeaders((recorded.get(label) as RecordedRequest).raw_headers);
      const options = {
        baseURL: server.baseURL,
        apiKey: API_KEY,
        ...scenario.options,
        ...scenario.clientOnly,
      };
      await new Portkey(options as PortkeyClientOptions).chat.completions.create({
        model: 'gpt-4o-mini',
        messages: MESSAGES,
      });
      const sent = optionHeaders(
        Object.entries(server.received.at(-1)?.headers ?? {}).map(
          ([name, value]) => [name, String(value)] as const,
        ),
      );
      const expected = { ...official };

      // Difference 1: the package and runtime version values say what pk is.
      expect(expected['x-portkey-package-version']).toBe('portkey-3.1.0');
      expected['x-portkey-package-version'] = `pk-sdk-${VERSION}`;
      expect(expected['x-portkey-runtime']).toBe('node');
      expected['x-portkey-runtime-version'] = process.version;

      // Differences 2 and 3, listed per scenario with their reasons: `0` is sent as "0"; options named
      // in forwardHeaders keep their x-portkey- prefix.
      for (const difference of scenario.differences ?? []) {
        if (difference.official) {
          expect(expected[difference.official[0]]).toBe(difference.official[1]);
          delete expected[difference.official[0]];
        }
        if (difference.pk) expected[difference.pk[0]] = difference.pk[1];
      }

      // Not an option header: pk is an openai client, and openai sends a key in Authorization. Without
      // an Authorization option it is the Portkey key, as the official SDK's own openai-wrapped calls
      // send it (the gateway never forwards its own key). With one, both send the option as given.
      if (expected.authorization === undefined) {
        expect(sent.authorization).toBe(`Bearer ${API_KEY}`);
        delete sent.authorization;
      }

      expect(sent).toEqual(expected);
    },
  );

  it('difference 4: a value a header cannot carry is refused with an error naming it (the official SDK fails inside fetch)', () => {
    const build = (options: PortkeyClientOptions) => () =>
      new Portkey({ baseURL: server.baseURL, ...options });
    expect(build({ traceId: 'caf\u00e9 \u2615' })).toThrow(/x-portkey-trace-id/);
    expect(build({ cacheNamespace: 'a\nb' })).toThrow(/x-portkey-cache-namespace/);
    expect(build({ requestTimeout: Number.NaN })).toThrow(/x-portkey-request-timeout/);
    // JSON values carry any text: non-Latin-1 characters are escaped, not refused.
    const client = new Portkey({ baseURL: server.baseURL, metadata: { city: '\u6771\u4eac' } });
    expect(client.portkeyHeaders['x-portkey-metadata']).toBe('{"city":"\\u6771\\u4eac"}');
  });
});
