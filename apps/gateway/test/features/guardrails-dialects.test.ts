import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FeatureGateway,
  postJson,
  rejectionOf,
  startFeatureGateway,
} from '../support/feature-gateway.js';
import { HELLO_ANSWER, type ProviderMock, startProviderMock } from '../support/provider-mock.js';

// Feature suite: guardrails on the routes of the other client dialects, Anthropic's Messages API
// (request type `messages`, as Portkey) and OpenAI's Responses API (`createModelResponse`), through
// the built gateway process and the official SDKs, against a mock that speaks every provider's wire
// format: native targets get the dialect's own body, translated ones the chat completions body, and
// hooks read and rewrite the dialect's body either way (packages/guardrails/README.md).
let mock: ProviderMock;
let gateway: FeatureGateway;

/** What the mock answers for the model `with-pii`. */
const PII_ANSWER = 'Sure, write to jane@example.com and she will help you today.';
/** The tool calls the mock streams for the models `tool-with-pii` and `tool-clean` (in two pieces). */
const PII_CALL = {
  id: 'call_email_1',
  name: 'send_email',
  input: { to: 'jane@example.com', body: 'See you at 5' },
};
const CLEAN_CALL = {
  id: 'call_email_2',
  name: 'send_email',
  input: { to: 'the team', body: 'Café ☕ at 5' },
};
const EMAIL_TOOL = { name: 'send_email', parameters: { type: 'object' } };
/** {@link EMAIL_TOOL} as the Responses API and the Messages API declare it. */
const RESPONSES_EMAIL_TOOL = { type: 'function' as const, strict: false, ...EMAIL_TOOL };
const MESSAGES_EMAIL_TOOL = { name: EMAIL_TOOL.name, input_schema: { type: 'object' as const } };
/** {@link PII_ANSWER} as an output pk.pii redaction leaves it. */
const PII_ANSWER_REDACTED = PII_ANSWER.replace('jane@example.com', '[REDACTED_EMAIL]');

const DENY_APPLE = { 'default.contains': { operator: 'none', words: ['Apple'] }, deny: true };
const DENY_PII = { 'pk.pii': {}, deny: true };
const REDACT_PII = { 'pk.pii': { redact: true } };
/** Fails on the mock's answer ("Hello! How can I help you today?"). */
const GOODBYE = { 'default.regexMatch': { rule: 'Goodbye' } };
/** Denies the mock's answer once it has said "help". */
const DENY_HELP = { 'default.regexMatch': { rule: 'help', not: true }, deny: true };
/** The openai SDK's error when a guardrail denies. */
const DENIED_446 = { status: 446, code: 'PK_ERR_GUARDRAIL_DENIED' };
/** Anthropic's error body of a stream an output guardrail denied. */
const DENIED_AFTER = {
  type: 'error',
  error: { code: 'PK_ERR_GUARDRAIL_DENIED' },
  hook_results: { after_request_hooks: [{ verdict: false, deny: true }] },
};

beforeAll(async () => {
  mock = await startProviderMock();
  mock.answer = (request) => {
    if (request.body.model === 'with-pii') return { kind: 'text', text: PII_ANSWER };
    if (request.body.model === 'tool-with-pii') return { kind: 'tool', ...PII_CALL };
    if (request.body.model === 'tool-clean') return { kind: 'tool', ...CLEAN_CALL };
    return undefined;
  };
  gateway = await startFeatureGateway({
    settings: {
      configs: {
        'pc-messages-redact': {
          virtual_key: 'anthropic-d',
          input_mutators: [{ 'pk.pii': { redact: true } }],
        },
        'pc-responses-deny': {
          virtual_key: 'openai-d',
          input_guardrails: [DENY_APPLE],
        },
      },
      virtual_keys: {
        'openai-d': {
          provider: 'openai',
          api_key: 'sk-dialect-guard',
          options: { custom_host: `${mock.url}/v1` },
        },
        'anthropic-d': {
          provider: 'anthropic',
          api_key: 'sk-ant-dialect-guard',
          options: { custom_host: `${mock.url}/v1` },
        },
      },
    },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
});

/** Requests the mock received since `before` (an index into `mock.received`). */
function receivedSince(before: number) {
  return mock.received.slice(before);
}

/**
 * The one request the mock received since `before`, once checked: in `format` (when given), with no
 * e-mail address left in it.
 */
function sentRedacted(before: number, format?: string) {
  const [sent] = receivedSince(before);
  if (format !== undefined) expect(sent?.format).toBe(format);
  expect(sent?.text).not.toContain('@example.com');
  return sent;
}

type Config = Record<string, unknown> | string;

/** An SDK's options: `config` inline, or a saved config's id, and `headers`; no retries. */
const clientOptions = (baseURL: string, config: Config, headers: Record<string, string>) => ({
  baseURL,
  apiKey: 'unused',
  maxRetries: 0,
  defaultHeaders: {
    'x-portkey-config': typeof config === 'string' ? config : JSON.stringify(config),
    ...headers,
  },
});

const anthropic = (config: Config, headers: Record<string, string> = {}) =>
  new Anthropic(clientOptions(gateway.url, config, headers));
const openai = (config: Config, headers: Record<string, string> = {}) =>
  new OpenAI(clientOptions(gateway.base, config, headers));

/** A /v1/messages stream of `model` with the Anthropic SDK: `text` as the user's message, 64 tokens at most. */
const messagesStream = (config: Config, text = 'Hi', model = 'claude-guarded') =>
  anthropic(config).messages.stream({ model, max_tokens: 64, messages: [{ role: 'user', content: text }] });

/** The `error` body an SDK error carries (Anthropic's `{type, error}`, or OpenAI's `error`). */
function bodyOf(caught: unknown): Record<string, unknown> {
  return (caught as { error?: Record<string, unknown> }).error ?? {};
}

/** The `hook_results` pk adds to an answer. */
const hookResultsOf = (data: unknown) => (data as { hook_results?: unknown }).hook_results;

describe.each([
  ['native to Anthropic', 'anthropic-d', 'anthropic'],
  ['translated to OpenAI', 'openai-d', 'openai-chat'],
] as const)('guardrails on POST /v1/messages %s (Anthropic SDK)', (_name, virtualKey, upstreamFormat) => {
  const ask = (client: Anthropic, text: string, system?: string) =>
    client.messages.create({
      model: 'claude-guarded',
      max_tokens: 64,
      ...(system === undefined ? {} : { system }),
      messages: [{ role: 'user', content: text }],
    });

  it.each([
    ['default.contains', DENY_APPLE, 'Tell me about Apple'],
    ['pk.pii', DENY_PII, 'Write to jane@example.com'],
  ])(
    'an input %s deny answers 446 in Anthropic’s error shape with hook_results, nothing sent',
    async (_check, guardrail, text) => {
      const before = mock.received.length;
      const caught = await ask(
        anthropic({ virtual_key: virtualKey, input_guardrails: [guardrail] }),
        text,
      ).catch((error: unknown) => error);
      expect(caught).toBeInstanceOf(Anthropic.APIError);
      expect((caught as InstanceType<typeof Anthropic.APIError>).status).toBe(446);
      expect(bodyOf(caught)).toMatchObject({
        type: 'error',
        error: { type: 'invalid_request_error', code: 'PK_ERR_GUARDRAIL_DENIED' },
        hook_results: {
          before_request_hooks: [{ verdict: false, deny: true }],
          after_request_hooks: [],
        },
      });
      expect(receivedSince(before)).toHaveLength(0);
    },
  );

  it('a pk.pii redaction reaches the provider redacted, in the target’s own shape', async () => {
    const before = mock.received.length;
    const { data, response } = await ask(
      anthropic({ virtual_key: virtualKey, input_mutators: [REDACT_PII] }),
      'I am jane@example.com, call +1 415 555 0132',
      'Escalate to ops@example.com',
    ).withResponse();
    expect(response.status).toBe(200);
    expect(data.content).toContainEqual(expect.objectContaining({ type: 'text', text: HELLO_ANSWER }));
    const sent = sentRedacted(before, upstreamFormat);
    expect(sent?.text).not.toContain('555 0132');
    if (upstreamFormat === 'anthropic') {
      expect(sent?.body.system).toBe('Escalate to [REDACTED_EMAIL]');
      expect(sent?.body.messages).toEqual([
        { role: 'user', content: 'I am [REDACTED_EMAIL], call [REDACTED_PHONE]' },
      ]);
    } else {
      expect(sent?.body.messages).toEqual([
        { role: 'system', content: 'Escalate to [REDACTED_EMAIL]' },
        { role: 'user', content: 'I am [REDACTED_EMAIL], call [REDACTED_PHONE]' },
      ]);
    }
    expect(hookResultsOf(data)).toMatchObject({
      before_request_hooks: [{ verdict: true, type: 'mutator' }],
    });
  });

  it('an output default.regexMatch deny answers 446 with hook_results, the answer withheld', async () => {
    const before = mock.received.length;
    const caught = await ask(
      anthropic({ virtual_key: virtualKey, output_guardrails: [{ ...GOODBYE, deny: true }] }),
      'Hi',
    ).catch((error: unknown) => error);
    expect((caught as InstanceType<typeof Anthropic.APIError>).status).toBe(446);
    expect(bodyOf(caught)).toMatchObject(DENIED_AFTER);
    // The Message itself is not sent (the check's data quotes what it read, as Portkey's do).
    expect(bodyOf(caught)).not.toHaveProperty('content');
    expect(receivedSince(before)).toHaveLength(1);
  });

  it('an output check that fails without deny answers 246 with the Message and hook_results', async () => {
    const { data, response } = await ask(
      anthropic({ virtual_key: virtualKey, output_guardrails: [GOODBYE] }),
      'Hi',
    ).withResponse();
    expect(response.status).toBe(246);
    expect(data.type).toBe('message');
    expect(data.content).toContainEqual(expect.objectContaining({ type: 'text', text: HELLO_ANSWER }));
    expect(hookResultsOf(data)).toMatchObject({
      before_request_hooks: [],
      after_request_hooks: [
        { verdict: false, deny: false, checks: [{ id: 'default.regexMatch', verdict: false }] },
      ],
    });
  });

  it('a streamed request with an input guardrail streams the whole answer', async () => {
    const before = mock.received.length;
    const message = await messagesStream({
      virtual_key: virtualKey,
      input_guardrails: [DENY_APPLE],
    }).finalMessage();
    expect(message.content).toContainEqual(expect.objectContaining({ type: 'text', text: HELLO_ANSWER }));
    expect(receivedSince(before)).toHaveLength(1);
  });

  it('a streamed request whose input guardrail denies is a 446, nothing sent', async () => {
    const before = mock.received.length;
    const caught = await messagesStream({ virtual_key: virtualKey, input_guardrails: [DENY_APPLE] }, 'Apple?')
      .finalMessage()
      .catch((error: unknown) => error);
    expect((caught as InstanceType<typeof Anthropic.APIError>).status).toBe(446);
    expect(receivedSince(before)).toHaveLength(0);
  });

  it('a JSON answer’s PII is masked by an output pk.pii redaction', async () => {
    const message = await anthropic({
      virtual_key: virtualKey,
      output_mutators: [REDACT_PII],
    }).messages.create({
      model: 'with-pii',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Who do I write to?' }],
    });
    expect(message.content).toContainEqual(
      expect.objectContaining({ type: 'text', text: PII_ANSWER_REDACTED }),
    );
  });

  it('a streamed answer’s PII is masked before it leaves by an output pk.pii redaction', async () => {
    const message = await messagesStream(
      { virtual_key: virtualKey, output_mutators: [REDACT_PII] },
      'Who?',
      'with-pii',
    ).finalMessage();
    expect(message.content).toContainEqual(
      expect.objectContaining({ type: 'text', text: PII_ANSWER_REDACTED }),
    );
  });

  it('a streamed answer that fails an output deny is never sent: the stream ends with Anthropic’s error event', async () => {
    const stream = messagesStream({ virtual_key: virtualKey, output_guardrails: [DENY_HELP] });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const caught = await stream.finalMessage().catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(Anthropic.APIError);
    expect(bodyOf(caught)).toMatchObject(DENIED_AFTER);
    expect(HELLO_ANSWER.startsWith(text)).toBe(true);
    expect(text).not.toContain('help');
  });

  /** Streams a tool_use answer: its input as the SDK joins the `input_json_delta`s, and what ended the stream. */
  async function streamedInput(model: string) {
    const stream = anthropic({ virtual_key: virtualKey, output_guardrails: [DENY_PII] }).messages.stream({
      model,
      max_tokens: 64,
      tools: [MESSAGES_EMAIL_TOOL],
      messages: [{ role: 'user', content: 'Email Jane' }],
    });
    let input = '';
    const error = await (async () => {
      for await (const event of stream)
        if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta')
          input += event.delta.partial_json;
    })().catch((caught: unknown) => caught);
    return { input, error };
  }

  it('a streamed tool_use whose input fails an output deny is never sent: the stream ends with Anthropic’s error event', async () => {
    const { input, error } = await streamedInput('tool-with-pii');
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(bodyOf(error)).toMatchObject(DENIED_AFTER);
    expect(input).not.toContain('jane');
  });

  it('a clean streamed tool_use reaches the client whole', async () => {
    const { input, error } = await streamedInput('tool-clean');
    expect(error).toBeUndefined();
    expect(input).toBe(JSON.stringify(CLEAN_CALL.input));
  });
});

describe('the Messages route’s hook results and log (Anthropic SDK, raw HTTP)', () => {
  it('with strict compliance off, a stream starts with Portkey’s event: hook_results', async () => {
    const answer = await postJson(
      `${gateway.url}/v1/messages`,
      { model: 'claude-guarded', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'Hi' }] },
      {
        'x-portkey-config': JSON.stringify({ virtual_key: 'anthropic-d', input_guardrails: [DENY_APPLE] }),
        'x-portkey-strict-open-ai-compliance': 'false',
      },
    );
    expect(answer.status).toBe(200);
    const [first] = answer.text.split('\n\n');
    expect(first?.split('\n')[0]).toBe('event: hook_results');
    expect(JSON.parse(first?.split('\n')[1]?.slice('data: '.length) ?? '{}')).toMatchObject({
      hook_results: { before_request_hooks: [{ verdict: true }], after_request_hooks: [] },
    });
    expect(answer.text).toContain('event: message_stop');
  });

  it('a stream an output guardrail denied is logged with its error code', async () => {
    const stream = anthropic(
      { virtual_key: 'anthropic-d', output_guardrails: [DENY_HELP] },
      { 'x-portkey-trace-id': 'dialect-guard-stream-denied' },
    ).messages.stream({
      model: 'claude-guarded',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    await stream.finalMessage().catch(() => undefined);
    const [line] = await gateway.waitForRequestLines('dialect-guard-stream-denied');
    expect(line).toMatchObject({
      status: 200,
      errorCode: 'PK_ERR_GUARDRAIL_DENIED',
      guardrails: [{ verdict: false, event: 'after' }],
    });
  });

  it('the request’s log line carries the guardrails’ results', async () => {
    await anthropic(
      { virtual_key: 'openai-d', input_guardrails: [DENY_APPLE], output_guardrails: [GOODBYE] },
      { 'x-portkey-trace-id': 'dialect-guard-log' },
    ).messages.create({
      model: 'claude-guarded',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const [line] = await gateway.waitForRequestLines('dialect-guard-log');
    expect(line).toMatchObject({
      status: 246,
      guardrails: [
        { verdict: true, event: 'before' },
        { verdict: false, event: 'after' },
      ],
    });
  });

  it('count_tokens with hooks stays a 400, nothing sent', async () => {
    const before = mock.received.length;
    const error = await rejectionOf(
      anthropic({ virtual_key: 'anthropic-d', input_guardrails: [DENY_APPLE] }).messages.countTokens({
        model: 'claude-guarded',
        messages: [{ role: 'user', content: 'Hi' }],
      }),
    );
    expect(error.status).toBe(400);
    expect(error.message).toContain('do not run on /v1/messages/count_tokens');
    expect(receivedSince(before)).toHaveLength(0);
  });
});

describe.each([
  ['native to OpenAI', 'openai-d', 'openai-responses'],
  ['translated to Anthropic', 'anthropic-d', 'anthropic'],
] as const)('guardrails on POST /v1/responses %s (openai SDK)', (_name, virtualKey, upstreamFormat) => {
  it.each([
    ['default.contains', DENY_APPLE, 'Tell me about Apple'],
    ['pk.pii', DENY_PII, 'Write to jane@example.com'],
  ])('an input %s deny answers 446 with hook_results, nothing sent', async (_check, guardrail, input) => {
    const before = mock.received.length;
    const caught = await openai({ virtual_key: virtualKey, input_guardrails: [guardrail] })
      .responses.create({ model: 'gpt-guarded', input })
      .catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(OpenAI.APIError);
    expect(caught).toMatchObject(DENIED_446);
    expect(receivedSince(before)).toHaveLength(0);
  });

  it('a pk.pii redaction reaches the provider redacted, in the target’s own shape', async () => {
    const before = mock.received.length;
    const { data, response } = await openai({ virtual_key: virtualKey, input_mutators: [REDACT_PII] })
      .responses.create({
        model: 'gpt-guarded',
        instructions: 'Escalate to ops@example.com',
        input: [{ role: 'user', content: [{ type: 'input_text', text: 'I am jane@example.com' }] }],
      })
      .withResponse();
    expect(response.status).toBe(200);
    expect(data.output_text).toBe(HELLO_ANSWER);
    const sent = sentRedacted(before, upstreamFormat);
    if (upstreamFormat === 'openai-responses') {
      expect(sent?.body.instructions).toBe('Escalate to [REDACTED_EMAIL]');
      expect(sent?.body.input).toEqual([
        { role: 'user', content: [{ type: 'input_text', text: 'I am [REDACTED_EMAIL]' }] },
      ]);
    } else {
      expect(JSON.stringify(sent?.body.system)).toContain('Escalate to [REDACTED_EMAIL]');
      expect(JSON.stringify(sent?.body.messages)).toContain('I am [REDACTED_EMAIL]');
    }
    expect(hookResultsOf(data)).toMatchObject({
      before_request_hooks: [{ verdict: true, type: 'mutator' }],
    });
  });

  it('an output default.regexMatch deny answers 446, the answer withheld', async () => {
    const before = mock.received.length;
    const caught = await openai({ virtual_key: virtualKey, output_guardrails: [{ ...GOODBYE, deny: true }] })
      .responses.create({ model: 'gpt-guarded', input: 'Hi' })
      .catch((error: unknown) => error);
    expect(caught).toMatchObject(DENIED_446);
    expect(receivedSince(before)).toHaveLength(1);
  });

  it('an output check that fails without deny answers 246 with the Response and hook_results', async () => {
    const { data, response } = await openai({ virtual_key: virtualKey, output_guardrails: [GOODBYE] })
      .responses.create({ model: 'gpt-guarded', input: 'Hi' })
      .withResponse();
    expect(response.status).toBe(246);
    expect(data.output_text).toBe(HELLO_ANSWER);
    expect(hookResultsOf(data)).toMatchObject({
      after_request_hooks: [{ verdict: false, deny: false, checks: [{ id: 'default.regexMatch' }] }],
    });
  });

  it('a streamed request with an input guardrail streams the whole answer', async () => {
    const before = mock.received.length;
    const stream = await openai({ virtual_key: virtualKey, input_guardrails: [DENY_APPLE] }).responses.create(
      {
        model: 'gpt-guarded',
        input: 'Hi',
        stream: true,
      },
    );
    let text = '';
    let completed = '';
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed')
        completed = event.response.output
          .flatMap((item) => (item.type === 'message' ? item.content : []))
          .map((part) => (part.type === 'output_text' ? part.text : ''))
          .join('');
    }
    expect(text).toBe(HELLO_ANSWER);
    expect(completed).toBe(HELLO_ANSWER);
    expect(receivedSince(before)).toHaveLength(1);
  });

  it('a streamed answer’s PII is masked before it leaves by an output pk.pii redaction', async () => {
    const stream = await openai({ virtual_key: virtualKey, output_mutators: [REDACT_PII] }).responses.create({
      model: 'with-pii',
      input: 'Who do I write to?',
      stream: true,
    });
    let text = '';
    let completed = '';
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = JSON.stringify(event.response);
    }
    expect(text).toBe(PII_ANSWER_REDACTED);
    expect(completed).toContain('[REDACTED_EMAIL]');
    expect(completed).not.toContain('jane@example.com');
  });

  it('a streamed answer that fails an output deny is never sent: the stream ends with the 446 error', async () => {
    const stream = await openai({ virtual_key: virtualKey, output_guardrails: [DENY_HELP] }).responses.create(
      {
        model: 'gpt-guarded',
        input: 'Hi',
        stream: true,
      },
    );
    let text = '';
    const caught = await (async () => {
      for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
    })().catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(OpenAI.APIError);
    expect(caught).toMatchObject({ code: 'PK_ERR_GUARDRAIL_DENIED' });
    expect(HELLO_ANSWER.startsWith(text)).toBe(true);
    expect(text).not.toContain('help');
  });

  /** Streams a function call: its arguments as the SDK delivers the deltas, the `done` event's, and what ended the stream. */
  async function streamedArguments(model: string) {
    const stream = await openai({ virtual_key: virtualKey, output_guardrails: [DENY_PII] }).responses.create({
      model,
      input: 'Email Jane',
      tools: [RESPONSES_EMAIL_TOOL],
      stream: true,
    });
    let deltas = '';
    let done: string | undefined;
    const error = await (async () => {
      for await (const event of stream) {
        if (event.type === 'response.function_call_arguments.delta') deltas += event.delta;
        if (event.type === 'response.function_call_arguments.done') done = event.arguments;
      }
    })().catch((caught: unknown) => caught);
    return { deltas, done, error };
  }

  it('a streamed function call whose arguments fail an output deny is never sent: the stream ends with the 446 error', async () => {
    const { deltas, done, error } = await streamedArguments('tool-with-pii');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ code: 'PK_ERR_GUARDRAIL_DENIED' });
    expect(deltas).not.toContain('jane');
    expect(done).toBeUndefined();
  });

  it('a clean streamed function call reaches the client whole', async () => {
    const { deltas, done, error } = await streamedArguments('tool-clean');
    expect(error).toBeUndefined();
    expect(deltas).toBe(JSON.stringify(CLEAN_CALL.input));
    expect(done).toBe(deltas);
  });

  it('a denied stream ends with the Responses API’s own error event, numbered after the events sent, with hook_results beside', async () => {
    // The raw body, through the openai SDK (`asResponse`), to see the event the SDK raised from.
    const response = await openai({ virtual_key: virtualKey, output_guardrails: [DENY_HELP] })
      .responses.create({ model: 'gpt-guarded', input: 'Hi', stream: true })
      .asResponse();
    const frames = (await response.text())
      .split('\n\n')
      .filter((frame) => frame.trim() !== '' && !frame.startsWith(':'))
      .map((frame) => ({
        event: /^event: (.*)$/m.exec(frame)?.[1],
        data: JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? 'null') as Record<string, unknown>,
      }));
    const last = frames.at(-1);
    const sent = frames.slice(0, -1).map((frame) => frame.data.sequence_number);
    expect(sent).toEqual(sent.map((_number, index) => index));
    expect(last?.event).toBe('error');
    expect(Object.keys(last?.data ?? {})).toEqual([
      'type',
      'sequence_number',
      'code',
      'message',
      'param',
      'error',
      'hook_results',
    ]);
    expect(last?.data).toMatchObject({
      type: 'error',
      sequence_number: sent.length,
      code: 'PK_ERR_GUARDRAIL_DENIED',
      message: expect.any(String),
      param: null,
      error: { type: expect.any(String), code: 'PK_ERR_GUARDRAIL_DENIED', message: expect.any(String) },
      hook_results: {
        after_request_hooks: [{ verdict: false, deny: true, checks: [{ id: 'default.regexMatch' }] }],
      },
    });
    expect((last?.data.error as { message?: unknown } | undefined)?.message).toBe(last?.data.message);
  });
});

describe.each([
  ['native to Anthropic', 'anthropic-d', 'anthropic'],
  ['translated to OpenAI', 'openai-d', 'openai-chat'],
] as const)(
  'pk.pii redaction of every Messages content form %s (Anthropic SDK)',
  (_name, virtualKey, upstreamFormat) => {
    it('system blocks, text blocks, a tool_use input and tool_result content (string and blocks) reach the provider redacted', async () => {
      const before = mock.received.length;
      const message = await anthropic({
        virtual_key: virtualKey,
        input_mutators: [REDACT_PII],
      }).messages.create({
        model: 'claude-guarded',
        max_tokens: 64,
        system: [{ type: 'text', text: 'Escalate to ops@example.com' }],
        tools: [MESSAGES_EMAIL_TOOL],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Email jane@example.com' }] },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Sending to jane@example.com' },
              { type: 'tool_use', id: 'toolu_1', name: 'send_email', input: { to: 'jane@example.com' } },
              { type: 'tool_use', id: 'toolu_2', name: 'send_email', input: { to: 'bob@example.com' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_1', content: 'Delivered to jane@example.com' },
              {
                type: 'tool_result',
                tool_use_id: 'toolu_2',
                content: [{ type: 'text', text: 'Bounced from bob@example.com' }],
              },
              { type: 'text', text: 'Call me at +1 415 555 0132' },
            ],
          },
        ],
      });
      expect(message.content).toContainEqual(expect.objectContaining({ type: 'text' }));
      const sent = sentRedacted(before, upstreamFormat);
      expect(sent?.text).not.toContain('555 0132');
      expect(sent?.text).toContain('[REDACTED_EMAIL]');
    });
  },
);

describe.each([
  ['native to OpenAI', 'openai-d', 'openai-responses'],
  ['translated to Anthropic', 'anthropic-d', 'anthropic'],
] as const)(
  'pk.pii redaction of every Responses input form %s (openai SDK)',
  (_name, virtualKey, upstreamFormat) => {
    it('input as a string reaches the provider redacted', async () => {
      const before = mock.received.length;
      const response = await openai({
        virtual_key: virtualKey,
        input_mutators: [REDACT_PII],
      }).responses.create({
        model: 'gpt-guarded',
        instructions: 'Escalate to ops@example.com',
        input: 'I am jane@example.com, call +1 415 555 0132',
      });
      expect(response.output_text).toBe(HELLO_ANSWER);
      const sent = sentRedacted(before, upstreamFormat);
      expect(sent?.text).not.toContain('555 0132');
      if (upstreamFormat === 'openai-responses')
        expect(sent?.body.input).toBe('I am [REDACTED_EMAIL], call [REDACTED_PHONE]');
    });

    it('message items with string content, a function call and its output reach the provider redacted', async () => {
      const before = mock.received.length;
      const response = await openai({
        virtual_key: virtualKey,
        input_mutators: [REDACT_PII],
      }).responses.create({
        model: 'gpt-guarded',
        tools: [RESPONSES_EMAIL_TOOL],
        input: [
          { role: 'user', content: 'Email jane@example.com' },
          {
            type: 'function_call',
            call_id: 'call_1',
            name: 'send_email',
            arguments: '{"to":"jane@example.com"}',
          },
          { type: 'function_call_output', call_id: 'call_1', output: 'Delivered to jane@example.com' },
          {
            role: 'assistant',
            content: [{ type: 'output_text', text: 'Sent to jane@example.com', annotations: [] }],
          },
          { role: 'user', content: [{ type: 'input_text', text: 'Now bob@example.com' }] },
        ] as OpenAI.Responses.ResponseInput,
      });
      expect(response.output_text).not.toBe('');
      const sent = sentRedacted(before, upstreamFormat);
      expect(sent?.text).toContain('[REDACTED_EMAIL]');
    });
  },
);

describe('saved configs’ hooks on the dialect routes', () => {
  it('a saved config’s input mutator redacts a /v1/messages request (x-portkey-config: its id)', async () => {
    const before = mock.received.length;
    await anthropic('pc-messages-redact').messages.create({
      model: 'claude-guarded',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'I am jane@example.com' }],
    });
    const [sent] = receivedSince(before);
    expect(sent?.format).toBe('anthropic');
    expect(sent?.body.messages).toEqual([{ role: 'user', content: 'I am [REDACTED_EMAIL]' }]);
  });

  it('a saved config’s input guardrail denies a /v1/responses request with 446', async () => {
    const before = mock.received.length;
    const caught = await openai('pc-responses-deny')
      .responses.create({ model: 'gpt-guarded', input: 'Apple?' })
      .catch((error: unknown) => error);
    expect(caught).toMatchObject(DENIED_446);
    expect(receivedSince(before)).toHaveLength(0);
  });
});

describe('async guardrails on the dialect routes', () => {
  it.each([
    ['/v1/messages', 'anthropic'],
    ['/v1/responses', 'responses'],
  ] as const)(
    'on %s: the answer is not held, the hook’s verdict reaches its guardrail line and the request line',
    async (_route, kind) => {
      const traceId = `dialect-async-${kind}`;
      const asyncDeny = {
        'default.contains': { operator: 'none', words: ['Apple'] },
        deny: true,
        async: true,
      };
      const config = {
        virtual_key: 'openai-d',
        input_guardrails: [asyncDeny],
        output_guardrails: [asyncDeny],
      };
      if (kind === 'anthropic') {
        const message = await anthropic(config, { 'x-portkey-trace-id': traceId }).messages.create({
          model: 'claude-guarded',
          max_tokens: 64,
          messages: [{ role: 'user', content: 'Apple?' }],
        });
        expect(message.content).toContainEqual(expect.objectContaining({ type: 'text', text: HELLO_ANSWER }));
      } else {
        const response = await openai(config, { 'x-portkey-trace-id': traceId }).responses.create({
          model: 'gpt-guarded',
          input: 'Apple?',
        });
        expect(response.output_text).toBe(HELLO_ANSWER);
      }
      const hookLines = await gateway.process.waitForLines(
        (line) => typeof line === 'object' && line.msg === 'guardrail' && line.traceId === traceId,
        { count: 2, description: 'the async hooks’ lines' },
      );
      expect(
        hookLines
          .map((line) => [(line as Record<string, unknown>).event, (line as Record<string, unknown>).verdict])
          .sort(),
      ).toEqual([
        ['after_request', true],
        ['before_request', false],
      ]);
      const [line] = await gateway.waitForRequestLines(traceId);
      expect(line).toMatchObject({ status: 200 });
    },
  );
});

describe.each([
  ['native to Anthropic', 'anthropic-d'],
  ['translated to OpenAI', 'openai-d'],
] as const)('guardrails read /v1/messages documents %s (Anthropic SDK)', (_name, virtualKey) => {
  const withDocument = (client: Anthropic) =>
    client.messages.create({
      model: 'claude-guarded',
      max_tokens: 64,
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'document',
              source: { type: 'text', media_type: 'text/plain', data: 'Contact jane@example.com' },
            },
            {
              type: 'document',
              source: { type: 'content', content: [{ type: 'text', text: 'Or ops@example.com' }] },
            },
            { type: 'text', text: 'Summarise these.' },
          ],
        },
      ],
    });

  it('a pk.pii deny sees a plain-text document’s PII: 446, nothing sent', async () => {
    const before = mock.received.length;
    const caught = await withDocument(
      anthropic({ virtual_key: virtualKey, input_guardrails: [DENY_PII] }),
    ).catch((error: unknown) => error);
    expect((caught as { status?: number }).status).toBe(446);
    expect(receivedSince(before)).toHaveLength(0);
  });

  it('a pk.pii redaction masks the documents before they leave', async () => {
    const before = mock.received.length;
    await withDocument(anthropic({ virtual_key: virtualKey, input_mutators: [REDACT_PII] }));
    const sent = sentRedacted(before);
    expect(sent?.text).toContain('Contact [REDACTED_EMAIL]');
    expect(sent?.text).toContain('Or [REDACTED_EMAIL]');
  });
});

describe('hooks in Portkey’s raw form, streamed denies and output mutators on tool calls, native and translated', () => {
  it.each([['openai-d'], ['anthropic-d']])(
    'a streamed /v1/responses request whose input guardrail denies is a 446, nothing sent (%s)',
    async (vk) => {
      const before = mock.received.length;
      const caught = await openai({ virtual_key: vk, input_guardrails: [DENY_APPLE] })
        .responses.create({ model: 'gpt-guarded', input: 'Apple?', stream: true })
        .catch((error: unknown) => error);
      expect(caught).toMatchObject(DENIED_446);
      expect(receivedSince(before)).toHaveLength(0);
    },
  );

  it.each([['openai-d'], ['anthropic-d']])(
    'a raw before_request_hooks guardrail denies a /v1/messages request (%s)',
    async (vk) => {
      const before = mock.received.length;
      const caught = await anthropic({
        virtual_key: vk,
        before_request_hooks: [
          {
            type: 'guardrail',
            id: 'no-apple',
            deny: true,
            checks: [{ id: 'default.contains', parameters: { operator: 'none', words: ['Apple'] } }],
          },
        ],
      })
        .messages.create({
          model: 'claude-guarded',
          max_tokens: 64,
          messages: [{ role: 'user', content: 'Apple?' }],
        })
        .catch((error: unknown) => error);
      expect((caught as { status?: number }).status).toBe(446);
      expect(receivedSince(before)).toHaveLength(0);
    },
  );

  it.each([['openai-d'], ['anthropic-d']])(
    'a raw mutator hook redacts /v1/responses instructions and developer and user items (%s)',
    async (vk) => {
      const before = mock.received.length;
      await openai({
        virtual_key: vk,
        before_request_hooks: [
          { type: 'mutator', id: 'redact', checks: [{ id: 'pk.pii', parameters: { redact: true } }] },
        ],
      }).responses.create({
        model: 'gpt-guarded',
        instructions: 'Mail ops@example.com',
        input: [
          { type: 'message', role: 'developer', content: 'Or dev@example.com' },
          {
            type: 'message',
            role: 'user',
            content: [{ type: 'input_text', text: 'Hi from jane@example.com' }],
          },
        ],
      });
      sentRedacted(before);
    },
  );

  it.each([['openai-d'], ['anthropic-d']])(
    'an output pk.pii redaction masks a /v1/responses function call’s arguments (%s)',
    async (vk) => {
      const response = await openai({ virtual_key: vk, output_mutators: [REDACT_PII] }).responses.create({
        model: 'tool-with-pii',
        input: 'Email Jane',
        tools: [RESPONSES_EMAIL_TOOL],
      });
      expect(JSON.stringify(response.output)).not.toContain('jane@example.com');
    },
  );

  it.each([['openai-d'], ['anthropic-d']])(
    'an output pk.pii redaction masks a streamed /v1/messages tool_use input (%s)',
    async (vk) => {
      const message = await anthropic({ virtual_key: vk, output_mutators: [REDACT_PII] })
        .messages.stream({
          model: 'tool-with-pii',
          max_tokens: 64,
          tools: [MESSAGES_EMAIL_TOOL],
          messages: [{ role: 'user', content: 'Email Jane' }],
        })
        .finalMessage();
      expect(JSON.stringify(message.content)).not.toContain('jane@example.com');
    },
  );
});
