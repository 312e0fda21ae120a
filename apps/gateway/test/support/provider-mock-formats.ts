import { eventStreamFrame } from './event-stream-frames.js';

/** What a mock provider answers, whatever its wire format. */
export type MockAnswer =
  | { readonly kind: 'text'; readonly text: string }
  | {
      readonly kind: 'tool';
      readonly id: string;
      readonly name: string;
      readonly input: Readonly<Record<string, unknown>>;
    }
  /** JSON mode: as text, or (Anthropic and Bedrock forced-tool JSON mode) as a call of `toolName`. */
  | { readonly kind: 'json'; readonly value: Readonly<Record<string, unknown>>; readonly toolName?: string };

/** The token counts every mock answer reports: 25 in, 12 out. */
export const MOCK_USAGE = { input: 25, output: 12 } as const;

/** A whole body, or stream frames, with the content type. */
export interface MockReplyBody {
  readonly contentType: string;
  readonly body?: string;
  readonly frames?: readonly (string | Uint8Array)[];
}

/** Splits text into two pieces (streams carry more than one delta). */
function pieces(text: string): string[] {
  const middle = Math.max(1, Math.floor(text.length / 2));
  return text.length < 2 ? [text] : [text.slice(0, middle), text.slice(middle)];
}

/** The log probability the mocks give each token they were asked to report (`-0.5`). */
export const MOCK_LOGPROB = -0.5;

function answerText(answer: MockAnswer): string | undefined {
  if (answer.kind === 'text') return answer.text;
  if (answer.kind === 'json' && answer.toolName === undefined) return JSON.stringify(answer.value);
  return undefined;
}

function answerTool(
  answer: MockAnswer,
): { id: string; name: string; input: Readonly<Record<string, unknown>> } | undefined {
  if (answer.kind === 'tool') return answer;
  if (answer.kind === 'json' && answer.toolName !== undefined)
    return { id: 'toolu_json_mock', name: answer.toolName, input: answer.value };
  return undefined;
}

const sse = (data: unknown, event?: string): string =>
  `${event === undefined ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`;

/** OpenAI chat completions (https://platform.openai.com/docs/api-reference/chat/object). */
export function openAIChatReply(
  answer: MockAnswer,
  model: string,
  stream: boolean,
  wantsUsage: boolean,
): MockReplyBody {
  const text = answerText(answer);
  const tool = answerTool(answer);
  const usage = {
    prompt_tokens: MOCK_USAGE.input,
    completion_tokens: MOCK_USAGE.output,
    total_tokens: MOCK_USAGE.input + MOCK_USAGE.output,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
  const base = { id: 'chatcmpl-mock', created: 1_700_000_000, model, system_fingerprint: 'fp_mock' };
  const finish = tool ? 'tool_calls' : 'stop';
  const toolCall = tool && {
    id: tool.id,
    type: 'function',
    function: { name: tool.name, arguments: JSON.stringify(tool.input) },
  };
  if (!stream) {
    const message = {
      role: 'assistant',
      content: text ?? null,
      refusal: null,
      ...(toolCall ? { tool_calls: [toolCall] } : {}),
    };
    return {
      contentType: 'application/json',
      body: JSON.stringify({
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
        usage,
      }),
    };
  }
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
    sse({
      ...base,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    });
  const frames = [chunk({ role: 'assistant', content: '', refusal: null })];
  for (const piece of text === undefined ? [] : pieces(text)) frames.push(chunk({ content: piece }));
  if (tool) {
    frames.push(
      chunk({
        tool_calls: [
          { index: 0, id: tool.id, type: 'function', function: { name: tool.name, arguments: '' } },
        ],
      }),
    );
    for (const piece of pieces(JSON.stringify(tool.input)))
      frames.push(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }));
  }
  frames.push(chunk({}, finish));
  if (wantsUsage) frames.push(sse({ ...base, object: 'chat.completion.chunk', choices: [], usage }));
  frames.push('data: [DONE]\n\n');
  return { contentType: 'text/event-stream', frames };
}

/** Anthropic's Message and its stream events (https://docs.anthropic.com/en/api/messages). */
export function anthropicEvents(answer: MockAnswer, model: string): Record<string, unknown>[] {
  const text = answerText(answer);
  const tool = answerTool(answer);
  const usage = {
    input_tokens: MOCK_USAGE.input,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    service_tier: 'standard',
  };
  const events: Record<string, unknown>[] = [
    {
      type: 'message_start',
      message: {
        id: 'msg_mock',
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    },
  ];
  let index = 0;
  if (text !== undefined) {
    events.push(
      { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
      { type: 'ping' },
    );
    for (const piece of pieces(text))
      events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
    events.push({ type: 'content_block_stop', index });
    index += 1;
  }
  if (tool) {
    events.push({
      type: 'content_block_start',
      index,
      content_block: { type: 'tool_use', id: tool.id, name: tool.name, input: {} },
    });
    events.push({
      type: 'content_block_delta',
      index,
      delta: { type: 'input_json_delta', partial_json: '' },
    });
    for (const piece of pieces(JSON.stringify(tool.input)))
      events.push({
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json: piece },
      });
    events.push({ type: 'content_block_stop', index });
  }
  events.push(
    {
      type: 'message_delta',
      delta: { stop_reason: tool ? 'tool_use' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: MOCK_USAGE.output },
    },
    { type: 'message_stop' },
  );
  return events;
}

/** The Message an Anthropic stream of {@link anthropicEvents} adds up to. */
export function anthropicMessage(answer: MockAnswer, model: string): Record<string, unknown> {
  const text = answerText(answer);
  const tool = answerTool(answer);
  return {
    id: 'msg_mock',
    type: 'message',
    role: 'assistant',
    model,
    content: [
      ...(text === undefined ? [] : [{ type: 'text', text }]),
      ...(tool ? [{ type: 'tool_use', id: tool.id, name: tool.name, input: tool.input }] : []),
    ],
    stop_reason: tool ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: MOCK_USAGE.input,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      service_tier: 'standard',
      output_tokens: MOCK_USAGE.output,
    },
  };
}

/** Anthropic's Messages API (also Claude on Vertex AI's `rawPredict`). */
export function anthropicReply(answer: MockAnswer, model: string, stream: boolean): MockReplyBody {
  if (!stream)
    return { contentType: 'application/json', body: JSON.stringify(anthropicMessage(answer, model)) };
  return {
    contentType: 'text/event-stream',
    frames: anthropicEvents(answer, model).map((event) => sse(event, String(event.type))),
  };
}

/** Claude on Bedrock (`InvokeModel`): the Message, or each event base64 in a `chunk` frame. */
export function bedrockClaudeReply(answer: MockAnswer, model: string, stream: boolean): MockReplyBody {
  if (!stream)
    return { contentType: 'application/json', body: JSON.stringify(anthropicMessage(answer, model)) };
  return {
    contentType: 'application/vnd.amazon.eventstream',
    frames: anthropicEvents(answer, model).map((event) =>
      eventStreamFrame('chunk', {
        bytes: Buffer.from(JSON.stringify(event)).toString('base64'),
        p: 'abcdefgh',
      }),
    ),
  };
}

/** The thought signature the Gemini mock gives with a function call (https://ai.google.dev/gemini-api/docs/thought-signatures). */
export const GEMINI_THOUGHT_SIGNATURE = 'CpcBAdHtim9-mock-thought-signature';

let geminiAnswers = 0;

/** Gemini `generateContent` / `streamGenerateContent?alt=sse` (https://ai.google.dev/api/generate-content). */
export function geminiReply(
  answer: MockAnswer,
  model: string,
  stream: boolean,
  logprobs = false,
): MockReplyBody {
  // Gemini gives every answer its own responseId (the chunks of one stream share it).
  geminiAnswers += 1;
  const responseId = `mock-gemini-response-${geminiAnswers}`;
  const text = answerText(answer);
  const tool = answerTool(answer);
  const usageMetadata = {
    promptTokenCount: MOCK_USAGE.input,
    candidatesTokenCount: MOCK_USAGE.output,
    totalTokenCount: MOCK_USAGE.input + MOCK_USAGE.output,
  };
  const response = (parts: unknown[], last: boolean) => ({
    candidates: [{ content: { parts, role: 'model' }, ...(last ? { finishReason: 'STOP' } : {}), index: 0 }],
    usageMetadata: last
      ? usageMetadata
      : { promptTokenCount: MOCK_USAGE.input, totalTokenCount: MOCK_USAGE.input },
    modelVersion: model,
    responseId,
  });
  // Gemini 3 signs the first function call of a step, and refuses the next turn without it back.
  const toolPart = tool && {
    functionCall: { name: tool.name, args: tool.input },
    thoughtSignature: GEMINI_THOUGHT_SIGNATURE,
  };
  if (!stream) {
    const parts = text === undefined ? [toolPart] : [{ text }];
    const whole = response(parts, true);
    // `responseLogprobs: true`: each decoding step (here each piece of the text) with its likeliest tokens.
    if (logprobs && text !== undefined) {
      const steps = pieces(text).map((token) => ({ token, logProbability: MOCK_LOGPROB }));
      Object.assign(whole.candidates[0] ?? {}, {
        avgLogprobs: MOCK_LOGPROB,
        logprobsResult: {
          chosenCandidates: steps,
          topCandidates: steps.map((step) => ({ candidates: [step] })),
        },
      });
    }
    return { contentType: 'application/json', body: JSON.stringify(whole) };
  }
  const frames =
    text === undefined
      ? [response([toolPart], true)]
      : [...pieces(text).map((piece) => response([{ text: piece }], false)), response([{ text: '' }], true)];
  return {
    contentType: 'text/event-stream',
    frames: frames.map((frame) => `data: ${JSON.stringify(frame)}\r\n\r\n`),
  };
}

/** Bedrock `Converse` / `ConverseStream` (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html). */
export function bedrockConverseReply(answer: MockAnswer, stream: boolean): MockReplyBody {
  const text = answerText(answer);
  const tool = answerTool(answer);
  const usage = {
    inputTokens: MOCK_USAGE.input,
    outputTokens: MOCK_USAGE.output,
    totalTokens: MOCK_USAGE.input + MOCK_USAGE.output,
  };
  const stopReason = tool ? 'tool_use' : 'end_turn';
  if (!stream) {
    const content =
      text === undefined
        ? [{ toolUse: { toolUseId: tool?.id, name: tool?.name, input: tool?.input } }]
        : [{ text }];
    return {
      contentType: 'application/json',
      body: JSON.stringify({
        output: { message: { role: 'assistant', content } },
        stopReason,
        usage,
        metrics: { latencyMs: 120 },
      }),
    };
  }
  const frames = [eventStreamFrame('messageStart', { role: 'assistant' })];
  if (text !== undefined) {
    for (const piece of pieces(text))
      frames.push(eventStreamFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: piece } }));
  } else if (tool) {
    frames.push(
      eventStreamFrame('contentBlockStart', {
        contentBlockIndex: 0,
        start: { toolUse: { toolUseId: tool.id, name: tool.name } },
      }),
    );
    for (const piece of pieces(JSON.stringify(tool.input)))
      frames.push(
        eventStreamFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: piece } } }),
      );
  }
  frames.push(eventStreamFrame('contentBlockStop', { contentBlockIndex: 0 }));
  frames.push(eventStreamFrame('messageStop', { stopReason }));
  frames.push(eventStreamFrame('metadata', { usage, metrics: { latencyMs: 120 } }));
  return { contentType: 'application/vnd.amazon.eventstream', frames };
}

/** The plan Cohere writes before its tool calls (`tool_plan`, streamed as `tool-plan-delta`). */
export const COHERE_TOOL_PLAN = 'I will look that up.';

/** Cohere v2 chat and its stream (https://docs.cohere.com/reference/chat, /reference/chat-stream). */
export function cohereReply(answer: MockAnswer, stream: boolean, logprobs = false): MockReplyBody {
  const text = answerText(answer);
  const tool = answerTool(answer);
  const usage = {
    billed_units: { input_tokens: MOCK_USAGE.input, output_tokens: MOCK_USAGE.output },
    tokens: { input_tokens: MOCK_USAGE.input, output_tokens: MOCK_USAGE.output },
  };
  const finish = tool ? 'TOOL_CALL' : 'COMPLETE';
  const call = tool && {
    id: tool.id,
    type: 'function',
    function: { name: tool.name, arguments: JSON.stringify(tool.input) },
  };
  // `logprobs: true`: each text chunk (here each piece of the text) with its tokens' log probabilities.
  const logprobsOf = (piece: string) => ({
    token_ids: [piece.length],
    text: piece,
    logprobs: [MOCK_LOGPROB],
  });
  if (!stream) {
    const message =
      text === undefined
        ? { role: 'assistant', tool_plan: COHERE_TOOL_PLAN, tool_calls: [call] }
        : { role: 'assistant', content: [{ type: 'text', text }] };
    const withLogprobs = logprobs && text !== undefined ? { logprobs: pieces(text).map(logprobsOf) } : {};
    return {
      contentType: 'application/json',
      body: JSON.stringify({ id: 'mock-cohere', finish_reason: finish, message, usage, ...withLogprobs }),
    };
  }
  const events: Record<string, unknown>[] = [
    {
      type: 'message-start',
      id: 'mock-cohere',
      delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } },
    },
  ];
  if (text !== undefined) {
    events.push({
      type: 'content-start',
      index: 0,
      delta: { message: { content: { type: 'text', text: '' } } },
    });
    for (const piece of pieces(text))
      events.push({
        type: 'content-delta',
        index: 0,
        delta: { message: { content: { text: piece } } },
        ...(logprobs ? { logprobs: logprobsOf(piece) } : {}),
      });
    events.push({ type: 'content-end', index: 0 });
  } else if (tool) {
    events.push({ type: 'tool-plan-delta', delta: { message: { tool_plan: COHERE_TOOL_PLAN } } });
    events.push({
      type: 'tool-call-start',
      index: 0,
      delta: {
        message: {
          tool_calls: { id: tool.id, type: 'function', function: { name: tool.name, arguments: '' } },
        },
      },
    });
    for (const piece of pieces(JSON.stringify(tool.input)))
      events.push({
        type: 'tool-call-delta',
        index: 0,
        delta: { message: { tool_calls: { function: { arguments: piece } } } },
      });
    events.push({ type: 'tool-call-end', index: 0 });
  }
  events.push({ type: 'message-end', delta: { finish_reason: finish, usage } });
  return { contentType: 'text/event-stream', frames: events.map((event) => sse(event, String(event.type))) };
}

/** OpenAI's Responses API and its stream (https://platform.openai.com/docs/api-reference/responses). */
export function openAIResponsesReply(answer: MockAnswer, model: string, stream: boolean): MockReplyBody {
  if (!stream)
    return { contentType: 'application/json', body: JSON.stringify(openAIResponse(answer, model)) };
  return {
    contentType: 'text/event-stream',
    frames: openAIResponsesEvents(answer, model).map(
      ({ event, data }) => `event: ${event}\ndata: ${data}\n\n`,
    ),
  };
}

/** One event of OpenAI's Responses stream: its name and its `data:` JSON (which repeats it as `type`). */
export interface ResponsesStreamEvent {
  readonly event: string;
  readonly data: string;
}

/** OpenAI's whole Response for an answer (its `usage`: {@link MOCK_USAGE}). */
export function openAIResponse(answer: MockAnswer, model: string): Record<string, unknown> {
  return responsesParts(answer, model).response('completed', true);
}

/**
 * OpenAI's Responses stream for an answer, event by event as OpenAI sends them
 * (https://platform.openai.com/docs/api-reference/responses-streaming): `response.created`, the
 * output item's events (text deltas, or function-call argument deltas), `response.completed` with
 * the usage ({@link MOCK_USAGE}).
 */
export function openAIResponsesEvents(answer: MockAnswer, model: string): ResponsesStreamEvent[] {
  return responsesEventsOf(responsesParts(answer, model));
}

/** The answer's text or tool call, its output item, and the Response at a stage (its output and usage once done). */
function responsesParts(answer: MockAnswer, model: string) {
  const text = answerText(answer);
  const tool = answerTool(answer);
  const item =
    text !== undefined
      ? {
          id: 'msg_mock',
          type: 'message',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
        }
      : {
          id: 'fc_mock',
          type: 'function_call',
          status: 'completed',
          call_id: tool?.id,
          name: tool?.name,
          arguments: JSON.stringify(tool?.input),
        };
  const usage = {
    input_tokens: MOCK_USAGE.input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: MOCK_USAGE.output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: MOCK_USAGE.input + MOCK_USAGE.output,
  };
  const response = (status: string, output: unknown[], withUsage: boolean) => ({
    id: 'resp_mock',
    object: 'response',
    created_at: 1_700_000_000,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: withUsage ? usage : null,
    user: null,
    metadata: {},
  });
  return {
    text,
    tool,
    item,
    response: (status: string, done: boolean) => response(status, done ? [item] : [], done),
  };
}

/** The stream's events for the parts of an answer, numbered from 0 as OpenAI numbers them. */
function responsesEventsOf(parts: ReturnType<typeof responsesParts>): ResponsesStreamEvent[] {
  const { text, tool, item, response } = parts;
  let sequence = 0;
  const event = (type: string, fields: Record<string, unknown>): ResponsesStreamEvent => ({
    event: type,
    data: JSON.stringify({ type, sequence_number: sequence++, ...fields }),
  });
  const frames = [
    event('response.created', { response: response('in_progress', false) }),
    event('response.in_progress', { response: response('in_progress', false) }),
  ];
  if (text !== undefined) {
    frames.push(
      event('response.output_item.added', {
        output_index: 0,
        item: { ...item, status: 'in_progress', content: [] },
      }),
    );
    frames.push(
      event('response.content_part.added', {
        item_id: 'msg_mock',
        output_index: 0,
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
      }),
    );
    for (const piece of pieces(text))
      frames.push(
        event('response.output_text.delta', {
          item_id: 'msg_mock',
          output_index: 0,
          content_index: 0,
          delta: piece,
          logprobs: [],
        }),
      );
    frames.push(
      event('response.output_text.done', {
        item_id: 'msg_mock',
        output_index: 0,
        content_index: 0,
        text,
        logprobs: [],
      }),
    );
    frames.push(
      event('response.content_part.done', {
        item_id: 'msg_mock',
        output_index: 0,
        content_index: 0,
        part: { type: 'output_text', text, annotations: [], logprobs: [] },
      }),
    );
  } else {
    frames.push(
      event('response.output_item.added', {
        output_index: 0,
        item: { ...item, status: 'in_progress', arguments: '' },
      }),
    );
    const args = JSON.stringify(tool?.input);
    for (const piece of pieces(args))
      frames.push(
        event('response.function_call_arguments.delta', {
          item_id: 'fc_mock',
          output_index: 0,
          delta: piece,
        }),
      );
    frames.push(
      event('response.function_call_arguments.done', {
        item_id: 'fc_mock',
        output_index: 0,
        name: tool?.name,
        arguments: args,
      }),
    );
  }
  frames.push(event('response.output_item.done', { output_index: 0, item }));
  frames.push(event('response.completed', { response: response('completed', true) }));
  return frames;
}
