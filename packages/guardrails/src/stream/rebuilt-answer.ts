import type { RequestType } from '../model/hook-context.js';

/**
 * A JSON answer rebuilt from a stream's text, for the checks that run after the last chunk: a
 * `chat.completion` (or `text_completion`) with each choice's text as sent.
 */
export function rebuiltAnswer(
  template: Readonly<Record<string, unknown>> | undefined,
  choices: readonly { index: number; text: string }[],
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
    choices: all.map(({ index, text }) =>
      type === 'complete'
        ? { index, text, finish_reason: 'stop' }
        : { index, message: { role: 'assistant', content: text }, finish_reason: 'stop' },
    ),
  };
}
