// Anthropic's Messages stream as the API sends it (`event:` and `data:` lines), for an answer with a
// text block and a tool call whose arguments stream as `input_json_delta` pieces: the "Streaming
// request with tool use" example of
// https://docs.anthropic.com/en/docs/build-with-claude/streaming#streaming-request-with-tool-use

/** The text block's text, sent in one `text_delta`. */
export const MESSAGES_TEXT = "Okay, let's check the weather for San Francisco, CA:";
/** The tool call's arguments, sent in `partial_json` pieces (the first one empty). */
export const MESSAGES_ARGUMENTS_PIECES = [
  '',
  '{"location":',
  ' "San',
  ' Francisc',
  'o,',
  ' CA"',
  ', ',
  '"unit": "fah',
  'renheit"}',
] as const;

const events: Record<string, unknown>[] = [
  {
    type: 'message_start',
    message: {
      id: 'msg_014p7gG3wDgGV9EUtLvnow3U',
      type: 'message',
      role: 'assistant',
      model: 'claude-opus-4-1-20250805',
      stop_sequence: null,
      usage: { input_tokens: 472, output_tokens: 2 },
      content: [],
      stop_reason: null,
    },
  },
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'ping' },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: MESSAGES_TEXT } },
  { type: 'content_block_stop', index: 0 },
  {
    type: 'content_block_start',
    index: 1,
    content_block: { type: 'tool_use', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', input: {} },
  },
  ...MESSAGES_ARGUMENTS_PIECES.map((piece) => ({
    type: 'content_block_delta',
    index: 1,
    delta: { type: 'input_json_delta', partial_json: piece },
  })),
  { type: 'content_block_stop', index: 1 },
  {
    type: 'message_delta',
    delta: { stop_reason: 'tool_use', stop_sequence: null },
    usage: { output_tokens: 89 },
  },
  { type: 'message_stop' },
];

/** The stream's frames, one per event. */
export const MESSAGES_FRAMES: readonly string[] = events.map(
  (event) => `event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`,
);
