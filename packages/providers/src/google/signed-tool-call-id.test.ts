import { describe, expect, it } from 'vitest';
import {
  idWithThoughtSignature,
  signedIdOfToolCall,
  splitThoughtSignature,
  toolCallIdFields,
} from './signed-tool-call-id.js';

const SIGNATURE = 'CpcBAdHtim9+sig/A==';

describe('a tool call id carrying a Gemini thought signature', () => {
  it('round-trips the signature, in characters Anthropic accepts for tool_use ids', () => {
    const id = idWithThoughtSignature('call_r1_0_0', SIGNATURE);
    expect(id.startsWith('call_r1_0_0__thought__')).toBe(true);
    expect(id).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(splitThoughtSignature(id)).toEqual({ id: 'call_r1_0_0', signature: SIGNATURE });
  });

  it('leaves ids without a signature as they are, both ways', () => {
    expect(idWithThoughtSignature('toolu_01', undefined)).toBe('toolu_01');
    expect(idWithThoughtSignature('toolu_01', '')).toBe('toolu_01');
    expect(splitThoughtSignature('toolu_01')).toEqual({ id: 'toolu_01' });
    expect(splitThoughtSignature('call__thought__not base64!')).toEqual({ id: 'call__thought__not base64!' });
  });

  it('reads the signature from a chat tool call’s extra_content', () => {
    const call = {
      id: 'call_1',
      type: 'function',
      function: { name: 'f', arguments: '{}' },
      extra_content: { google: { thought_signature: SIGNATURE } },
    };
    expect(splitThoughtSignature(signedIdOfToolCall(call))).toEqual({ id: 'call_1', signature: SIGNATURE });
    expect(signedIdOfToolCall({ id: 'call_2' })).toBe('call_2');
  });

  it('gives the signature back on extra_content for Gemini targets only, and the call’s own id to all', () => {
    const id = idWithThoughtSignature('call_1', SIGNATURE);
    for (const provider of ['google', 'vertex-ai'])
      expect(toolCallIdFields(id, provider)).toEqual({
        id: 'call_1',
        extra_content: { google: { thought_signature: SIGNATURE } },
      });
    for (const provider of ['anthropic', 'openai', 'bedrock'])
      expect(toolCallIdFields(id, provider)).toEqual({ id: 'call_1' });
  });
});
