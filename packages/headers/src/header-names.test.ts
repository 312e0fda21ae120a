import { describe, expect, it } from 'vitest';
import { loadRecordedRequests } from './__fixtures__/recorded-requests.js';
import {
  PORTKEY_HEADER_PREFIX,
  REQUEST_HEADER_NAMES,
  RESPONSE_HEADER_NAMES,
  UNPREFIXED_REQUEST_HEADERS,
} from './header-names.js';
import { headerNameOfOption } from './option-header-name.js';
import { NON_STRING_OPTION_KINDS } from './request-option-kinds.js';

const allNames = [
  ...Object.values(REQUEST_HEADER_NAMES),
  ...Object.values(UNPREFIXED_REQUEST_HEADERS),
  ...Object.values(RESPONSE_HEADER_NAMES),
];

// Names in the recordings that are deliberately not constants, each with its reason.
const NOT_CONSTANTS: Readonly<Record<string, string>> = {
  'x-portkey-some-custom-thing': 'made up by the recording to show the SDK passes unknown options through',
  'x-portkey-foo-id': 'made up by the recording (fooID), as above',
  'x-portkey-obj-thing': 'made up by the recording, as above',
  'x-portkey-num-thing': 'made up by the recording, as above',
  'x-portkey-bool-thing': 'made up by the recording, as above',
  'x-portkey-resource-name':
    'Python-style Azure name; no gateway reads it (the header is azure-resource-name)',
  'x-portkey-deployment-id': 'Python-style Azure name; no gateway reads it (azure-deployment-id)',
  'x-portkey-api-version': 'Python-style Azure name; no gateway reads it (azure-api-version)',
};

describe('header names', () => {
  it('are lower-case and each written once', () => {
    for (const name of allNames) expect(name).toBe(name.toLowerCase());
    const requestNames = Object.values(REQUEST_HEADER_NAMES);
    expect(new Set(requestNames).size).toBe(requestNames.length);
  });

  it('request names carry the prefix; the un-prefixed ones do not', () => {
    for (const name of Object.values(REQUEST_HEADER_NAMES))
      expect(name.startsWith(PORTKEY_HEADER_PREFIX)).toBe(true);
    for (const name of Object.values(UNPREFIXED_REQUEST_HEADERS)) {
      expect(name.startsWith(PORTKEY_HEADER_PREFIX)).toBe(false);
    }
  });

  it.each(Object.entries(REQUEST_HEADER_NAMES))(
    'option %s is the name the official SDK sends as %s',
    (option, header) => {
      expect(headerNameOfOption(option)).toBe(header);
    },
  );

  it('every non-string kind names a known option', () => {
    for (const option of Object.keys(NON_STRING_OPTION_KINDS))
      expect(REQUEST_HEADER_NAMES).toHaveProperty(option);
  });

  it("follows the SDK's name conversion: first ID → Id, then A-Z → -a-z; kebab and snake pass through", () => {
    expect(headerNameOfOption('traceID')).toBe('x-portkey-trace-id');
    expect(headerNameOfOption('traceId')).toBe('x-portkey-trace-id');
    expect(headerNameOfOption('awsS3Bucket')).toBe('x-portkey-aws-s3-bucket');
    expect(headerNameOfOption('strictOpenAiCompliance')).toBe('x-portkey-strict-open-ai-compliance');
    expect(headerNameOfOption('fooIDBarID')).toBe('x-portkey-foo-id-bar-i-d');
    expect(headerNameOfOption('trace_id')).toBe('x-portkey-trace_id');
    expect(headerNameOfOption('trace-id')).toBe('x-portkey-trace-id');
  });

  it('every x-portkey-* name in the recordings is a constant, apart from the listed ones', () => {
    const known = new Set<string>(allNames);
    const recorded = new Set<string>();
    for (const request of loadRecordedRequests()) {
      for (const [name] of request.raw_headers) {
        if (name.toLowerCase().startsWith(PORTKEY_HEADER_PREFIX)) recorded.add(name.toLowerCase());
      }
    }
    const missing = [...recorded].filter((name) => !known.has(name) && NOT_CONSTANTS[name] === undefined);
    expect(missing).toEqual([]);
    for (const name of Object.keys(NOT_CONSTANTS)) expect(recorded.has(name)).toBe(true);
  });

  it('the telemetry, debug and audio headers of the recordings are constants', () => {
    expect(REQUEST_HEADER_NAMES.packageVersion).toBe('x-portkey-package-version');
    expect(REQUEST_HEADER_NAMES.runtime).toBe('x-portkey-runtime');
    expect(REQUEST_HEADER_NAMES.runtimeVersion).toBe('x-portkey-runtime-version');
    expect(REQUEST_HEADER_NAMES.debug).toBe('x-portkey-debug');
    expect(REQUEST_HEADER_NAMES.audioFileDuration).toBe('x-portkey-audio-file-duration');
  });
});
