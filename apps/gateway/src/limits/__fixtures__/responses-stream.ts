// OpenAI's Responses stream as the API sends it (`event:` and `data:` lines, no `[DONE]`), for an
// answer with a text message and a function call: each `*.delta` event carries a piece, then its
// `*.done` event, `response.content_part.done` and `response.output_item.done` repeat the whole.
// https://platform.openai.com/docs/api-reference/responses-streaming

/** The message's text, sent in two deltas. */
export const RESPONSES_TEXT = 'Il fait beau à Paris.';
/** The function call's arguments, sent in two deltas. */
export const RESPONSES_ARGUMENTS = '{"city":"Paris"}';

const response = (status: string) => ({
  id: 'resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b',
  object: 'response',
  created_at: 1741476542,
  status,
  error: null,
  incomplete_details: null,
  instructions: 'Answer in French.',
  max_output_tokens: 200,
  model: 'gpt-4.1-2025-04-14',
  output: [],
  parallel_tool_calls: true,
  previous_response_id: null,
  reasoning: { effort: null, summary: null },
  store: true,
  temperature: 1,
  text: { format: { type: 'text' } },
  tool_choice: 'auto',
  tools: [
    {
      type: 'function',
      name: 'get_weather',
      description: 'The weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      strict: true,
    },
  ],
  top_p: 1,
  truncation: 'disabled',
  usage: null,
  user: null,
  metadata: {},
});

const message = {
  id: 'msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b',
  type: 'message',
  status: 'completed',
  role: 'assistant',
  content: [{ type: 'output_text', text: RESPONSES_TEXT, annotations: [] }],
};
const call = {
  id: 'fc_67ccd3acc8d48190a77525dc6de64b550bb6a6b452d3795b',
  type: 'function_call',
  status: 'completed',
  call_id: 'call_unLAR8MvFNptuiZK6K6HCy5k',
  name: 'get_weather',
  arguments: RESPONSES_ARGUMENTS,
};

const events: Record<string, unknown>[] = [
  { type: 'response.created', response: response('in_progress') },
  { type: 'response.in_progress', response: response('in_progress') },
  {
    type: 'response.output_item.added',
    output_index: 0,
    item: { ...message, status: 'in_progress', content: [] },
  },
  {
    type: 'response.content_part.added',
    item_id: message.id,
    output_index: 0,
    content_index: 0,
    part: { type: 'output_text', text: '', annotations: [] },
  },
  {
    type: 'response.output_text.delta',
    item_id: message.id,
    output_index: 0,
    content_index: 0,
    delta: 'Il fait beau',
  },
  {
    type: 'response.output_text.delta',
    item_id: message.id,
    output_index: 0,
    content_index: 0,
    delta: ' à Paris.',
  },
  {
    type: 'response.output_text.done',
    item_id: message.id,
    output_index: 0,
    content_index: 0,
    text: RESPONSES_TEXT,
  },
  {
    type: 'response.content_part.done',
    item_id: message.id,
    output_index: 0,
    content_index: 0,
    part: { type: 'output_text', text: RESPONSES_TEXT, annotations: [] },
  },
  { type: 'response.output_item.done', output_index: 0, item: message },
  {
    type: 'response.output_item.added',
    output_index: 1,
    item: { ...call, status: 'in_progress', arguments: '' },
  },
  { type: 'response.function_call_arguments.delta', item_id: call.id, output_index: 1, delta: '{"city":' },
  { type: 'response.function_call_arguments.delta', item_id: call.id, output_index: 1, delta: '"Paris"}' },
  {
    type: 'response.function_call_arguments.done',
    item_id: call.id,
    output_index: 1,
    arguments: RESPONSES_ARGUMENTS,
  },
  { type: 'response.output_item.done', output_index: 1, item: call },
];

/**
 * The stream's frames up to `response.completed` (not included: it carries the usage, so a stream
 * that got there is never counted from its text).
 */
export const RESPONSES_FRAMES: readonly string[] = events.map(
  (event, sequence) =>
    `event: ${String(event.type)}\ndata: ${JSON.stringify({ ...event, sequence_number: sequence })}\n\n`,
);
