import { describe, expect, it } from 'vitest';
import { idWithThoughtSignature } from '../../google/signed-tool-call-id.js';
import { responsesWithoutThoughtSignatures } from './native-request.js';

// Real signatures run to hundreds of characters.
const SIGNED = idWithThoughtSignature('call_gem_0', 'CpcBAdHtim9+sig/A=='.repeat(4));

const history = (callId: string) => ({
  model: 'gpt-4.1',
  input: [
    { role: 'user', content: 'Is AA100 on time?' },
    { type: 'function_call', id: 'fc_call_gem_0', call_id: callId, name: 'check_flight', arguments: '{}' },
    { type: 'function_call_output', call_id: callId, output: 'on time' },
  ],
});

describe('a Responses body for a native target', () => {
  it('names each call by its own call_id, without the Gemini thought signature (OpenAI allows 64 characters)', () => {
    const body = history(SIGNED);
    expect(SIGNED.length).toBeGreaterThan(64);
    expect(responsesWithoutThoughtSignatures(body)).toEqual(history('call_gem_0'));
    expect(body).toEqual(history(SIGNED));
  });

  it('is the body itself when no call_id carries a signature, or the input is text', () => {
    const body = history('call_abc');
    expect(responsesWithoutThoughtSignatures(body)).toBe(body);
    const text = { model: 'gpt-4.1', input: 'Hi' };
    expect(responsesWithoutThoughtSignatures(text)).toBe(text);
  });
});
