import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RequestType } from '../model/hook-context.js';
import { webhookPayload } from '../network/webhook-payload.js';
import { contextOf, runCheckOnce } from '../testing/check-harness.js';
import { allRequestTexts, allResponseTexts, mapRequestTexts } from './all-request-texts.js';
import { requestContentPart, responseContentPart } from './content-parts.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;

const MESSAGES_REQUEST = fixture('messages-tool-turn.json');
const MESSAGES_ANSWER = fixture('messages-answer.json');
const RESPONSES_REQUEST = fixture('responses-tool-turn.json');
const RESPONSES_ANSWER = fixture('responses-answer.json');

const dialects: readonly [string, RequestType, Record<string, unknown>, Record<string, unknown>][] = [
  ['Anthropic Messages', 'messages', MESSAGES_REQUEST, MESSAGES_ANSWER],
  ['OpenAI Responses', 'createModelResponse', RESPONSES_REQUEST, RESPONSES_ANSWER],
];

describe('the current content part (Portkey’s getText) on the dialects', () => {
  it('reads the last Messages turn: the tool result’s text blocks and the text block', () => {
    expect(requestContentPart(MESSAGES_REQUEST, 'messages').texts).toEqual([
      '15 degrees, sent to jane@example.com',
      'Also, what should I pack?',
    ]);
  });

  it('reads a Messages answer’s content: text blocks and the tool_use input’s string values', () => {
    expect(responseContentPart(MESSAGES_ANSWER, 'messages').texts).toEqual([
      "I'll check the weather and write to jane@example.com.",
      'jane@example.com',
      'Packing list',
    ]);
  });

  it('reads the last Responses input item, or a string input whole', () => {
    expect(requestContentPart(RESPONSES_REQUEST, 'createModelResponse').texts).toEqual([
      'Also, what should I pack?',
    ]);
    expect(requestContentPart({ input: 'Tell me a story' }, 'createModelResponse').texts).toEqual([
      'Tell me a story',
    ]);
  });

  it('reads a Responses answer’s output: output_text parts and function call arguments’ values', () => {
    expect(responseContentPart(RESPONSES_ANSWER, 'createModelResponse').texts).toEqual([
      'Pack a light jacket. I wrote to jane@example.com.',
      'jane@example.com',
    ]);
  });
});

describe('every text of a dialect request (pk’s own checks)', () => {
  it('reads a Messages request’s system blocks, tool_use inputs and tool results', () => {
    expect(allRequestTexts(MESSAGES_REQUEST, 'messages')).toEqual([
      'You are a travel assistant. Escalate to ops@example.com.',
      'What is the weather like in San Francisco? I am jane@example.com.',
      '<thinking>I need to use get_weather, and the user wants San Francisco, CA.</thinking>',
      'San Francisco, CA',
      'jane@example.com',
      '15 degrees, sent to jane@example.com',
      'Also, what should I pack?',
    ]);
  });

  it('reads a Messages request’s documents (plain-text and content sources), search results and a tool result’s document', () => {
    const request = fixture('messages-documents.json');
    expect(allRequestTexts(request, 'messages')).toEqual([
      'The grass is green. Write to jane@example.com.',
      'First chunk, from ops@example.com',
      'Second chunk',
      'Reach bob@example.com for details',
      'What color is the grass?',
      'https://example.com',
      'Page text with carol@example.com',
    ]);
    const redacted = JSON.stringify(
      mapRequestTexts(request, 'messages', (text) => text.replace(/\S+@example\.com/g, '[EMAIL]')),
    );
    expect(redacted).not.toContain('@example.com');
    expect(redacted).toContain('JVBERi0xLjQK');
  });

  it('reads a Responses request’s instructions, messages, function call arguments and outputs', () => {
    expect(allRequestTexts(RESPONSES_REQUEST, 'createModelResponse')).toEqual([
      'You are a travel assistant. Escalate to ops@example.com.',
      'What is the weather like in Paris today? I am jane@example.com.',
      'Paris, France',
      'jane@example.com',
      '14 degrees, sent to jane@example.com',
      'Also, what should I pack?',
    ]);
  });

  it.each(dialects)('%s: a map that changes nothing keeps every object', (_name, type, request, answer) => {
    const mapped = mapRequestTexts(request, type, (text) => text);
    for (const key of ['system', 'messages', 'input', 'tools']) expect(mapped[key]).toBe(request[key]);
    expect(allResponseTexts(answer, type).length).toBeGreaterThan(0);
  });
});

describe('pk.pii on the dialects', () => {
  it.each(dialects)('%s: denies a request with an email in any turn', async (_name, type, request) => {
    const outcome = await runCheckOnce('pk.pii', {}, contextOf({ request, requestType: type }));
    expect(outcome.verdict).toBe(false);
    expect(outcome.data).toMatchObject({ detected: { email: 4 } });
  });

  it('redacts a Messages request in Anthropic’s shape', async () => {
    const outcome = await runCheckOnce(
      'pk.pii',
      { redact: true },
      contextOf({ request: MESSAGES_REQUEST, requestType: 'messages' }),
    );
    expect(outcome.verdict).toBe(true);
    const sent = outcome.transformedRequest as typeof MESSAGES_REQUEST;
    expect(JSON.stringify(sent)).not.toContain('@example.com');
    expect(sent.system).toEqual([
      { type: 'text', text: 'You are a travel assistant. Escalate to [REDACTED_EMAIL].' },
    ]);
    const messages = sent.messages as { content: unknown }[];
    expect(messages[0]?.content).toBe('What is the weather like in San Francisco? I am [REDACTED_EMAIL].');
    expect(messages[1]?.content).toEqual([
      (MESSAGES_REQUEST.messages as { content: unknown[] }[])[1]?.content[0],
      {
        type: 'tool_use',
        id: 'toolu_01A09q90qw90lq917835lq9',
        name: 'get_weather',
        input: { location: 'San Francisco, CA', notify: ['[REDACTED_EMAIL]'] },
      },
    ]);
    expect(messages[2]?.content).toEqual([
      {
        type: 'tool_result',
        tool_use_id: 'toolu_01A09q90qw90lq917835lq9',
        content: [{ type: 'text', text: '15 degrees, sent to [REDACTED_EMAIL]' }],
      },
      { type: 'text', text: 'Also, what should I pack?' },
    ]);
    expect(sent.tools).toBe(MESSAGES_REQUEST.tools);
  });

  it('redacts a Responses request in the Responses shape, arguments kept JSON', async () => {
    const outcome = await runCheckOnce(
      'pk.pii',
      { redact: true },
      contextOf({ request: RESPONSES_REQUEST, requestType: 'createModelResponse' }),
    );
    const sent = outcome.transformedRequest as typeof RESPONSES_REQUEST;
    expect(JSON.stringify(sent)).not.toContain('@example.com');
    expect(sent.instructions).toBe('You are a travel assistant. Escalate to [REDACTED_EMAIL].');
    const input = sent.input as Record<string, unknown>[];
    expect(JSON.parse(String(input[1]?.arguments))).toEqual({
      location: 'Paris, France',
      notify: '[REDACTED_EMAIL]',
    });
    expect(input[2]?.output).toBe('14 degrees, sent to [REDACTED_EMAIL]');
    expect(input[3]).toBe((RESPONSES_REQUEST.input as unknown[])[3]);
  });

  it.each(dialects)('%s: redacts the answer in its own shape', async (_name, type, request, answer) => {
    const outcome = await runCheckOnce(
      'pk.pii',
      { redact: true },
      contextOf({ request, response: answer, requestType: type }),
    );
    const shown = outcome.transformedResponse as Record<string, unknown>;
    expect(JSON.stringify(shown)).not.toContain('@example.com');
    expect(allResponseTexts(shown, type)).toContain('[REDACTED_EMAIL]');
    expect(shown.usage).toEqual(answer.usage);
  });
});

describe('Portkey’s default checks on the dialects', () => {
  it.each(dialects)('%s: default.contains reads the last turn', async (_name, type, request) => {
    const outcome = await runCheckOnce(
      'default.contains',
      { operator: 'none', words: ['pack'] },
      contextOf({ request, requestType: type }),
    );
    expect(outcome.verdict).toBe(false);
  });

  it.each(dialects)('%s: default.regexMatch reads the answer', async (_name, type, request, answer) => {
    const outcome = await runCheckOnce(
      'default.regexMatch',
      { rule: 'jacket|weather' },
      contextOf({ request, response: answer, requestType: type }),
    );
    expect(outcome.verdict).toBe(true);
    expect(outcome.data).toMatchObject({ matchDetails: { matchedText: expect.any(String) } });
  });

  it('default.regexReplace writes the Messages answer back as blocks', async () => {
    const outcome = await runCheckOnce(
      'default.regexReplace',
      { rule: '\\S+@example\\.com', redactText: '[EMAIL]' },
      contextOf({ request: MESSAGES_REQUEST, response: MESSAGES_ANSWER, requestType: 'messages' }),
    );
    const shown = outcome.transformedResponse as { content: unknown[] };
    expect(shown.content).toEqual([
      { type: 'text', text: "I'll check the weather and write to [EMAIL]." },
      {
        type: 'tool_use',
        id: 'toolu_01A09q90qw90lq917835lq9',
        name: 'send_email',
        input: { to: '[EMAIL]', subject: 'Packing list' },
      },
    ]);
  });

  it('default.regexReplace rewrites the last Responses input item only', async () => {
    const outcome = await runCheckOnce(
      'default.regexReplace',
      { rule: 'pack', redactText: 'bring' },
      contextOf({ request: RESPONSES_REQUEST, requestType: 'createModelResponse' }),
    );
    const input = (outcome.transformedRequest as { input: unknown[] }).input;
    expect(input.slice(0, 3)).toEqual((RESPONSES_REQUEST.input as unknown[]).slice(0, 3));
    expect(input[3]).toEqual({
      type: 'message',
      role: 'user',
      content: [{ type: 'input_text', text: 'Also, what should I bring?' }],
    });
  });

  it('default.allowedRequestTypes knows messages and createModelResponse', async () => {
    const allowed = await runCheckOnce(
      'default.allowedRequestTypes',
      { allowedTypes: ['messages'] },
      contextOf({ request: MESSAGES_REQUEST, requestType: 'messages' }),
    );
    expect(allowed.verdict).toBe(true);
    const blocked = await runCheckOnce(
      'default.allowedRequestTypes',
      { blockedTypes: 'createModelResponse' },
      contextOf({ request: RESPONSES_REQUEST, requestType: 'createModelResponse' }),
    );
    expect(blocked.verdict).toBe(false);
    expect(blocked.data).toMatchObject({ currentRequestType: 'createModelResponse' });
  });

  it('default.addPrefix puts a system prefix in a Messages request’s system field', async () => {
    const outcome = await runCheckOnce(
      'default.addPrefix',
      { prefix: 'Be brief. ', applyToRole: 'system' },
      contextOf({ request: MESSAGES_REQUEST, requestType: 'messages' }),
    );
    const sent = outcome.transformedRequest as typeof MESSAGES_REQUEST;
    expect(sent.system).toEqual([
      { type: 'text', text: 'Be brief. You are a travel assistant. Escalate to ops@example.com.' },
    ]);
    expect(sent.messages).toEqual(MESSAGES_REQUEST.messages);
  });

  it('default.addPrefix prefixes a Responses string input as a user message', async () => {
    const outcome = await runCheckOnce(
      'default.addPrefix',
      { prefix: 'Be brief. ' },
      contextOf({
        request: { model: 'gpt-4.1', input: 'Tell me a story' },
        requestType: 'createModelResponse',
      }),
    );
    expect(outcome.transformedRequest).toEqual({
      model: 'gpt-4.1',
      input: [{ role: 'user', content: 'Be brief. Tell me a story' }],
    });
  });
});

describe('webhook payloads on the dialects', () => {
  it.each(dialects)('%s: carry the request type and the current texts', (_name, type, request, answer) => {
    const payload = webhookPayload(
      contextOf({ request, response: answer, requestType: type }),
      'afterRequestHook',
    );
    expect(payload.requestType).toBe(type);
    expect((payload.request as { text: string }).text).toContain('Also, what should I pack?');
    expect((payload.response as { text: string }).text).toContain('jane@example.com');
  });
});
