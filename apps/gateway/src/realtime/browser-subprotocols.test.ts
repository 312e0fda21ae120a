import { describe, expect, it } from 'vitest';
import { applyBrowserSubprotocols, chosenSubprotocol, offeredSubprotocols } from './browser-subprotocols.js';

describe('browser subprotocols', () => {
  it('turns the key and the beta flag OpenAI’s browser client sends into the headers other clients send', () => {
    const headers: Record<string, string | undefined> = {
      'sec-websocket-protocol': 'realtime, openai-insecure-api-key.pk-key-1, openai-beta.realtime-v1',
    };
    applyBrowserSubprotocols(headers);
    expect(headers.authorization).toBe('Bearer pk-key-1');
    expect(headers['openai-beta']).toBe('realtime=v1');
  });

  it('keeps the headers a client did send, and ignores empty or unknown protocols', () => {
    const headers: Record<string, string | undefined> = {
      authorization: 'Bearer from-header',
      'openai-beta': 'realtime=v1',
      'sec-websocket-protocol':
        'openai-insecure-api-key.pk-other, openai-beta.assistants-v2, openai-insecure-api-key.',
    };
    applyBrowserSubprotocols(headers);
    expect(headers.authorization).toBe('Bearer from-header');
    expect(headers['openai-beta']).toBe('realtime=v1');
    const bare: Record<string, string | undefined> = {
      'sec-websocket-protocol': 'openai-insecure-api-key., x',
    };
    applyBrowserSubprotocols(bare);
    expect(bare.authorization).toBeUndefined();
    expect(offeredSubprotocols({})).toEqual([]);
  });

  it('answers with realtime when offered, never with a key', () => {
    expect(chosenSubprotocol(new Set(['openai-insecure-api-key.sk-x', 'realtime']))).toBe('realtime');
    expect(chosenSubprotocol(new Set(['openai-insecure-api-key.sk-x', 'chat']))).toBe('chat');
    expect(chosenSubprotocol(new Set(['openai-insecure-api-key.sk-x']))).toBe(false);
  });
});
