import { describe, expect, it } from 'vitest';
import { createOptionsGenerator, seededRandom } from './__fixtures__/random-request-options.js';
import { buildRequestHeaders } from './build-request-headers.js';
import { REQUEST_HEADER_NAMES, RESPONSE_HEADER_NAMES, UNPREFIXED_REQUEST_HEADERS } from './header-names.js';
import { headerNameOfOption } from './option-header-name.js';
import { parseRequestHeaders } from './parse-request-headers.js';

const CONSTANT_NAMES = new Set<string>([
  ...Object.values(REQUEST_HEADER_NAMES),
  ...Object.values(UNPREFIXED_REQUEST_HEADERS),
  ...Object.values(RESPONSE_HEADER_NAMES),
]);

const generate = createOptionsGenerator(seededRandom(0x5eed));
const cases = Array.from({ length: 500 }, (_, index) => [index, generate()] as const);

describe('parseRequestHeaders(buildRequestHeaders(options)) for 500 generated options (seed 0x5eed)', () => {
  it('generates every kind of option, aliases, generic keys and empty values', () => {
    const keys = new Set(cases.flatMap(([, generated]) => Object.keys(generated.input)));
    for (const option of Object.keys(REQUEST_HEADER_NAMES)) expect(keys).toContain(option);
    expect(keys).toContain('traceID');
    expect(keys).toContain('Authorization');
    expect(cases.some(([, generated]) => generated.genericKeys.length > 0)).toBe(true);
  });

  it.each(cases)('case %i reads back the normalised options', (_index, { input, expected, genericKeys }) => {
    const headers = buildRequestHeaders(input);
    const parsed = parseRequestHeaders(headers);
    expect(parsed.problems).toEqual([]);
    expect(parsed.options).toEqual(expected);
    const genericHeaders = genericKeys.map(headerNameOfOption);
    expect([...parsed.unrecognized].sort()).toEqual([...genericHeaders].sort());
    // A fetch Headers accepts every value (it refuses what a header cannot carry) and reads the same.
    expect(parseRequestHeaders(new Headers(headers)).options).toEqual(expected);
  });

  it.each(cases)(
    'case %i emits only constant names, or x-portkey-<kebab> for an option with none',
    (_i, generated) => {
      const generic = new Map(generated.genericKeys.map((key) => [headerNameOfOption(key), key]));
      for (const name of Object.keys(buildRequestHeaders(generated.input))) {
        if (CONSTANT_NAMES.has(name)) continue;
        const key = generic.get(name);
        expect(key, `${name} is neither a constant nor a generic option's name`).toBeDefined();
        expect(name).toBe(headerNameOfOption(key ?? ''));
        expect(Object.keys(REQUEST_HEADER_NAMES)).not.toContain(key);
      }
    },
  );
});
