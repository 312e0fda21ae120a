import { describe, expect, it } from 'vitest';
import { chatAnswer, contextOf, parameterIssues, runCheckOnce } from '../testing/check-harness.js';
import { passesIbanChecksum, passesLuhn } from './pii-detectors.js';

describe('pk.pii', () => {
  it.each([
    ['email', 'write to jane.doe+news@example.co.uk today', true],
    ['phone (international)', 'call +44 20 7946 0958 now', true],
    ['phone (North American)', 'call (415) 555-0132 now', true],
    ['card passing Luhn', 'card 4111 1111 1111 1111 exp 12/30', true],
    ['iban', 'IBAN DE89 3704 0044 0532 0130 00 please', true],
    ['us_ssn', 'ssn 123-45-6789', true],
    ['ipv4', 'server at 192.168.10.20.', true],
    ['ipv6', 'server at 2001:db8::8a2e:370:7334 now', true],
    ['card failing Luhn', 'order 4111 1111 1111 1112', false],
    ['a date is not a phone', 'on 2024-01-15 at 10:30', false],
    ['ssn with 000', 'id 000-12-3456', false],
    ['version numbers', 'node 20.19 and v1.2', false],
    ['a time is not an ip', 'at 12:30:45', false],
    ['plain text', 'What is the capital of France?', false],
  ])('%s', async (_name, text, found) => {
    const outcome = await runCheckOnce(
      'pk.pii',
      {},
      contextOf({ request: { messages: [{ role: 'user', content: text }] } }),
    );
    expect(outcome.verdict).toBe(!found);
  });

  it('looks at every message and the system prompt, not only the last', async () => {
    const request = {
      messages: [
        { role: 'system', content: 'Operator: ops@example.com' },
        { role: 'user', content: [{ type: 'text', text: 'My card is 5555 5555 5555 4444' }] },
        { role: 'assistant', content: 'Noted.' },
        { role: 'user', content: 'Thanks' },
      ],
    };
    const outcome = await runCheckOnce('pk.pii', {}, contextOf({ request }));
    expect(outcome.verdict).toBe(false);
    expect(outcome.data).toMatchObject({ detected: { email: 1, card: 1 } });
    expect(JSON.stringify(outcome.data)).not.toContain('5555');
  });

  it('redacts every message with redact: true and passes', async () => {
    const request = {
      messages: [
        { role: 'user', content: 'I am jane@example.com, SSN 123-45-6789' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: 'call me on +1 415 555 0132' },
      ],
    };
    const outcome = await runCheckOnce('pk.pii', { redact: true }, contextOf({ request }));
    expect(outcome.verdict).toBe(true);
    expect(outcome.transformedRequest?.messages).toEqual([
      { role: 'user', content: 'I am [REDACTED_EMAIL], SSN [REDACTED_US_SSN]' },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: 'call me on [REDACTED_PHONE]' },
    ]);
  });

  it('narrows to categories and redacts answers', async () => {
    const outcome = await runCheckOnce(
      'pk.pii',
      { categories: ['email'], redact: true },
      contextOf({ response: chatAnswer('mail a@b.io, call 415-555-0132') }),
    );
    expect(outcome.transformedResponse).toMatchObject({
      choices: [{ message: { content: 'mail [REDACTED_EMAIL], call 415-555-0132' } }],
    });
  });

  /** A conversation whose assistant turn called a tool, as OpenAI's chat API sends it back. */
  const toolTurns = (argumentsText: string) => ({
    messages: [
      { role: 'user', content: 'Email Bob the report' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'send_email', arguments: argumentsText } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'sent' },
    ],
  });

  it('finds PII in tool-call arguments, even behind a JSON escape, and in the legacy function_call', async () => {
    for (const request of [
      toolTurns('{"email":"bob@example.com"}'),
      toolTurns('{"email":"bob\\u0040example.com"}'),
      {
        messages: [
          {
            role: 'assistant',
            content: null,
            function_call: { name: 'call', arguments: '{"to":"+44 20 7946 0958"}' },
          },
        ],
      },
    ]) {
      const outcome = await runCheckOnce('pk.pii', {}, contextOf({ request }));
      expect(outcome.verdict).toBe(false);
    }
  });

  it('redacts tool-call arguments inside their string values: the arguments stay valid JSON', async () => {
    const argumentsText = '{"to":["bob@example.com"],"body":"He said \\"call 415-555-0132\\"\\n","n":4}';
    const outcome = await runCheckOnce(
      'pk.pii',
      { redact: true },
      contextOf({ request: toolTurns(argumentsText) }),
    );
    expect(outcome.verdict).toBe(true);
    expect(outcome.data).toMatchObject({ detected: { email: 1, phone: 1 } });
    const messages = outcome.transformedRequest?.messages as {
      tool_calls?: { id: string; function: { name: string; arguments: string } }[];
    }[];
    const call = messages[1]?.tool_calls?.[0];
    expect(call).toMatchObject({ id: 'call_1', function: { name: 'send_email' } });
    expect(JSON.parse(call?.function.arguments ?? '')).toEqual({
      to: ['[REDACTED_EMAIL]'],
      body: 'He said "call [REDACTED_PHONE]"\n',
      n: 4,
    });
    // Arguments without a finding keep their exact text.
    const clean = await runCheckOnce(
      'pk.pii',
      { redact: true },
      contextOf({
        request: {
          messages: [
            ...toolTurns('{ "city": "Paris" }').messages,
            { role: 'user', content: 'mail me at jane@example.com' },
          ],
        },
      }),
    );
    const cleanMessages = clean.transformedRequest?.messages as {
      tool_calls?: { function: { arguments: string } }[];
    }[];
    expect(cleanMessages[1]?.tool_calls?.[0]?.function.arguments).toBe('{ "city": "Paris" }');
  });

  it('redacts arguments that are not JSON as plain text', async () => {
    const outcome = await runCheckOnce(
      'pk.pii',
      { redact: true },
      contextOf({ request: toolTurns('to bob@example.com') }),
    );
    const messages = outcome.transformedRequest?.messages as {
      tool_calls?: { function: { arguments: string } }[];
    }[];
    expect(messages[1]?.tool_calls?.[0]?.function.arguments).toBe('to [REDACTED_EMAIL]');
  });

  it('reads and redacts the tool calls of an answer', async () => {
    const response = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'lookup', arguments: '{"email":"bob@example.com"}' },
              },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
    };
    expect((await runCheckOnce('pk.pii', {}, contextOf({ response }))).verdict).toBe(false);
    const outcome = await runCheckOnce('pk.pii', { redact: true }, contextOf({ response }));
    const choices = outcome.transformedResponse?.choices as {
      message: { tool_calls: { function: { arguments: string } }[] };
    }[];
    expect(JSON.parse(choices[0]?.message.tool_calls[0]?.function.arguments ?? '')).toEqual({
      email: '[REDACTED_EMAIL]',
    });
  });

  it('refuses unknown categories', () => {
    expect(parameterIssues('pk.pii', { categories: ['passport'] })[0]?.path).toEqual(['categories', 0]);
    expect(parameterIssues('pk.pii', { redact: 'yes' })[0]?.path).toEqual(['redact']);
  });

  it('checksums', () => {
    expect(passesLuhn('4111111111111111')).toBe(true);
    expect(passesLuhn('4111111111111112')).toBe(false);
    expect(passesIbanChecksum('GB82WEST12345698765432')).toBe(true);
    expect(passesIbanChecksum('GB82WEST12345698765433')).toBe(false);
  });
});

describe('pk.secrets', () => {
  it.each([
    ['openai', `key sk-proj-${'a'.repeat(40)}`, true],
    ['anthropic', `key sk-ant-api03-${'b'.repeat(40)}`, true],
    ['aws', 'id AKIAIOSFODNN7EXAMPLE', true],
    ['github', `token ghp_${'c'.repeat(36)}`, true],
    ['slack', 'xoxb-123456789012-abcdefghij', true],
    ['google', `AIza${'d'.repeat(35)}`, true],
    ['stripe', `sk_live_${'e'.repeat(24)}`, true],
    [
      'jwt',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      true,
    ],
    ['private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----', true],
    ['short sk- word', 'ask-me anything', false],
    ['plain', 'nothing secret here', false],
  ])('%s', async (_name, text, found) => {
    const outcome = await runCheckOnce(
      'pk.secrets',
      {},
      contextOf({ request: { messages: [{ role: 'user', content: text }] } }),
    );
    expect(outcome.verdict).toBe(!found);
  });

  it('redacts a whole private key block', async () => {
    const text = 'here:\n-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\nbye';
    const outcome = await runCheckOnce(
      'pk.secrets',
      { redact: true },
      contextOf({ request: { messages: [{ role: 'user', content: text }] } }),
    );
    expect(outcome.transformedRequest?.messages).toEqual([
      { role: 'user', content: 'here:\n[REDACTED_SECRET]\nbye' },
    ]);
  });

  it('finds and redacts a key in tool-call arguments, keeping them valid JSON', async () => {
    const key = `sk-proj-${'a'.repeat(40)}`;
    const request = {
      messages: [
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'configure', arguments: `{"api_key":"${key}"}` },
            },
          ],
        },
      ],
    };
    expect((await runCheckOnce('pk.secrets', {}, contextOf({ request }))).verdict).toBe(false);
    const outcome = await runCheckOnce('pk.secrets', { redact: true }, contextOf({ request }));
    const messages = outcome.transformedRequest?.messages as {
      tool_calls: { function: { arguments: string } }[];
    }[];
    expect(JSON.parse(messages[0]?.tool_calls[0]?.function.arguments ?? '')).toEqual({
      api_key: '[REDACTED_SECRET]',
    });
  });
});

describe('pk.maxTokens', () => {
  it.each([
    ['under the cap', { maxTokens: 500 }, { max_tokens: 100 }, true],
    ['over the cap', { maxTokens: 500 }, { max_tokens: 1000 }, false],
    ['max_completion_tokens counts', { maxTokens: 500 }, { max_completion_tokens: 501 }, false],
    ['no max_tokens passes', { maxTokens: 500 }, {}, true],
    ['no max_tokens fails when required', { maxTokens: 500, requireMaxTokens: true }, {}, false],
    [
      'prompt too long',
      { maxPromptTokens: 10 },
      { messages: [{ role: 'user', content: 'x'.repeat(41) }] },
      false,
    ],
    [
      'prompt within',
      { maxPromptTokens: 10 },
      { messages: [{ role: 'user', content: 'x'.repeat(40) }] },
      true,
    ],
  ])('%s', async (_name, parameters, request, verdict) => {
    const outcome = await runCheckOnce(
      'pk.maxTokens',
      parameters,
      contextOf({ request: { messages: [], ...request } }),
    );
    expect(outcome.verdict).toBe(verdict);
  });

  it('needs a cap', () => {
    expect(parameterIssues('pk.maxTokens', {})).toHaveLength(1);
    expect(parameterIssues('pk.maxTokens', { maxTokens: -1 })[0]?.path).toEqual(['maxTokens']);
  });
});
