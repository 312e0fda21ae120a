import type { RequestType } from '../model/hook-context.js';

/** A streamed tool call as sent: its id and name (from its first delta) and its arguments. */
export interface ToolCallAsSent {
  readonly id: unknown;
  readonly name: unknown;
  readonly arguments: string;
}

/** One choice of a stream as sent. */
export interface ChoiceAsSent {
  readonly index: number;
  readonly text: string;
  readonly toolCalls?: readonly ToolCallAsSent[];
}

/**
 * A JSON answer rebuilt from a stream's text, for the checks that run after the last chunk: a
 * `chat.completion` (or `text_completion`) with each choice's text and tool calls as sent.
 */
export function rebuiltAnswer(
  template: Readonly<Record<string, unknown>> | undefined,
  choices: readonly ChoiceAsSent[],
  type: RequestType,
): Record<string, unknown> {
  const base = {
    id: template?.id ?? null,
    object: type === 'complete' ? 'text_completion' : 'chat.completion',
    created: template?.created ?? null,
    model: template?.model ?? null,
  };
  const all = choices.length === 0 ? [{ index: 0, text: '' }] : choices;
  return {
    ...base,
    choices: all.map(({ index, text, toolCalls }) =>
      type === 'complete'
        ? { index, text, finish_reason: 'stop' }
        : {
            index,
            message: {
              role: 'assistant',
              content: text,
              ...(toolCalls === undefined || toolCalls.length === 0
                ? {}
                : {
                    tool_calls: toolCalls.map((call) => ({
                      id: call.id,
                      type: 'function',
                      function: { name: call.name, arguments: call.arguments },
                    })),
                  }),
            },
            finish_reason: 'stop',
          },
    ),
  };
}
