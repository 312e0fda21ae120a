import { describe, expect, it } from 'vitest';
import { idWithThoughtSignature } from '../../google/signed-tool-call-id.js';
import { messagesWithoutThoughtSignatures } from './native-request.js';

const SIGNED = idWithThoughtSignature('call_gem_0', 'CpcBAdHtim9+sig/A==');

const history = (id: string) => ({
  model: 'claude-sonnet-4-20250514',
  max_tokens: 64,
  messages: [
    { role: 'user', content: 'Is AA100 on time?' },
    {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id, name: 'check_flight', input: { flight: 'AA100' } },
      ],
    },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'on time' }] },
  ],
});

describe('a Messages body for a native target', () => {
  it('names each tool call by its own id, without the Gemini thought signature', () => {
    const body = history(SIGNED);
    expect(messagesWithoutThoughtSignatures(body)).toEqual(history('call_gem_0'));
    expect(body).toEqual(history(SIGNED));
  });

  it('keeps the messages that carry no signed id as the same objects', () => {
    const body = history(SIGNED);
    const unsigned = messagesWithoutThoughtSignatures(body) as typeof body;
    expect(unsigned.messages[0]).toBe(body.messages[0]);
    expect(unsigned.messages[1]?.content[0]).toBe(body.messages[1]?.content[0]);
  });

  it('is the body itself when no id carries a signature (the client’s bytes can still be sent)', () => {
    const body = history('toolu_01');
    expect(messagesWithoutThoughtSignatures(body)).toBe(body);
    const text = { model: 'claude-sonnet-4-20250514', messages: [{ role: 'user', content: 'Hi' }] };
    expect(messagesWithoutThoughtSignatures(text)).toBe(text);
    const odd = { messages: 'not a list' };
    expect(messagesWithoutThoughtSignatures(odd)).toBe(odd);
  });
});
