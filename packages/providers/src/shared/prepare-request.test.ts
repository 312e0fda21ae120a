import { describe, expect, it } from 'vitest';
import type { RawForm } from '../spec/provider-adapter.js';
import { prepareRequest } from './prepare-request.js';

const RAW = new Uint8Array([1, 2, 3]);

/** A form that records the fields it was asked to set and answers with their JSON as its body. */
function recordingForm(calls: Record<string, string>[]): RawForm {
  return {
    withTextFields(fields) {
      calls.push({ ...fields });
      return {
        body: new TextEncoder().encode(JSON.stringify(fields)),
        contentType: 'multipart/form-data; boundary=new',
      };
    },
  };
}

describe('prepareRequest on a multipart upload', () => {
  it('sets a target’s override_params in the form’s text fields: strings, numbers and booleans as text', () => {
    const calls: Record<string, string>[] = [];
    const prepared = prepareRequest({
      request: {
        endpoint: 'passthrough',
        body: {},
        rawBody: RAW,
        contentType: 'multipart/form-data; boundary=old',
        rawForm: recordingForm(calls),
      },
      provider: 'openai',
      target: {},
      overrideParams: {
        model: 'whisper-large-v3',
        temperature: 0.2,
        stream: true,
        timestamp_granularities: ['word'],
      },
    });
    expect(calls).toEqual([{ model: 'whisper-large-v3', temperature: '0.2', stream: 'true' }]);
    expect(prepared.contentType).toBe('multipart/form-data; boundary=new');
    expect(new TextDecoder().decode(prepared.rawBody)).toBe(JSON.stringify(calls[0]));
  });

  it('sends the client’s bytes as they came without override_params, or when none is a form field', () => {
    for (const overrideParams of [undefined, {}, { metadata: { a: 1 } }]) {
      const calls: Record<string, string>[] = [];
      const prepared = prepareRequest({
        request: {
          endpoint: 'passthrough',
          body: {},
          rawBody: RAW,
          contentType: 'multipart/form-data; boundary=old',
          rawForm: recordingForm(calls),
        },
        provider: 'openai',
        target: {},
        ...(overrideParams === undefined ? {} : { overrideParams }),
      });
      expect(calls).toEqual([]);
      expect(prepared.rawBody).toBe(RAW);
      expect(prepared.contentType).toBe('multipart/form-data; boundary=old');
    }
  });
});
