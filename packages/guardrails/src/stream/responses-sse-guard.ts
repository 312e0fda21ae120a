import { isRecord } from '../model/is-record.js';
import type { DeniedEnvelope } from '../run/guardrail-denied-error.js';
import { GuardrailDeniedError } from '../run/guardrail-denied-error.js';
import { ArgumentsWindowGuard } from './arguments-window-guard.js';
import type { MessagesSseGuardOptions } from './messages-sse-guard.js';
import { type CancellableByteStream, guardSseFrames, parseSseFrame } from './sse-frames.js';
import { combinedVerdicts, deniedStreamResults, streamResultsAtEnd } from './stream-results.js';
import { DEFAULT_HOLDBACK_CHARS, TextWindowGuard } from './text-window-guard.js';

/** What {@link guardResponsesSseStream} needs (the denied frame is the dialect's `event: error`). */
export interface ResponsesSseGuardOptions extends Omit<MessagesSseGuardOptions, 'deniedFrame'> {
  /**
   * The Responses API's `error` event that ends a stream a `deny` check stopped, from the 446
   * envelope and its `hook_results`; `sequenceNumber` is the event's, after those the client got.
   */
  readonly deniedFrame: (envelope: DeniedEnvelope, sequenceNumber: number) => string;
}

type Event = Record<string, unknown>;

/**
 * Runs a streamed Responses answer's after-request hooks while it streams, as {@link guardSseStream}
 * does for chat chunks (https://platform.openai.com/docs/api-reference/responses-streaming): each
 * `output_text` part's `response.output_text.delta`s are held back by a window of characters and
 * checked incrementally before they are sent, redactions included; a part's held text goes out in a
 * delta of its own before its `response.output_text.done`. So are the string values of each
 * `function_call` item's `response.function_call_arguments.delta`s (see {@link ArgumentsWindowGuard}),
 * as a JSON answer's checks read its `arguments`, released before `function_call_arguments.done`. The events that repeat the whole text
 * (`output_text.done`, `content_part.done`, `output_item.done`, `response.completed`, and
 * `function_call_arguments.done` for arguments) carry the text as sent, and `sequence_number`s are renumbered to count the events the client gets. When a `deny`
 * check fails, nothing more is sent: the stream ends with the denied frame and the upstream is
 * cancelled. Checks that need the whole text run on the completed Response before
 * `response.completed` (their results go to `onResults`; the Responses stream has no frame for them).
 */
export function guardResponsesSseStream(
  source: CancellableByteStream,
  options: ResponsesSseGuardOptions,
): CancellableByteStream {
  const holdback = options.holdbackChars ?? DEFAULT_HOLDBACK_CHARS;
  const guard = new TextWindowGuard(options.hooks, holdback);
  const args = new ArgumentsWindowGuard(options.hooks, holdback);
  const verdicts = combinedVerdicts(guard, args);
  /** `function_call` items by output index (as `output_item.added` announced them), for the arguments they stream. */
  const functionCalls = new Map<string, Event>();
  /** Guard choices by `output_index:content_index`. */
  const parts = new Map<string, number>();
  /** Each part's `item_id`, for the deltas that release its held text. */
  const itemIds = new Map<number, unknown>();
  let response: Event = {};
  let sequence = 0;
  let finished = false;

  function partOf(event: Event, contentIndex: unknown = event.content_index): number {
    const key = `${String(event.output_index)}:${String(contentIndex)}`;
    let choice = parts.get(key);
    if (choice === undefined) {
      choice = parts.size;
      parts.set(key, choice);
    }
    if (event.item_id !== undefined) itemIds.set(choice, event.item_id);
    return choice;
  }

  function knownPart(outputIndex: unknown, contentIndex: unknown): number | undefined {
    return parts.get(`${String(outputIndex)}:${String(contentIndex)}`);
  }

  function frame(event: Event): string {
    const numbered =
      typeof event.sequence_number === 'number' ? { ...event, sequence_number: sequence++ } : event;
    return `event: ${String(event.type)}\ndata: ${JSON.stringify(numbered)}\n\n`;
  }

  function delta(event: Event, text: string): string {
    return frame({
      type: 'response.output_text.delta',
      item_id: event.item_id,
      output_index: event.output_index,
      content_index: event.content_index,
      delta: text,
      logprobs: [],
      sequence_number: 0,
    });
  }

  function argumentsDelta(outputIndex: string, text: string): string {
    return frame({
      type: 'response.function_call_arguments.delta',
      item_id: functionCalls.get(outputIndex)?.id,
      output_index: Number(outputIndex),
      delta: text,
      sequence_number: 0,
    });
  }

  /** A message item with its `output_text` parts' texts as sent; a function call with its arguments as sent. */
  function itemAsSent(item: unknown, outputIndex: unknown): unknown {
    if (isRecord(item) && item.type === 'function_call' && functionCalls.has(String(outputIndex)))
      return { ...item, arguments: args.sentArguments(String(outputIndex)) };
    if (!isRecord(item) || item.type !== 'message' || !Array.isArray(item.content)) return item;
    return {
      ...item,
      content: item.content.map((part: unknown, contentIndex) => {
        const choice = knownPart(outputIndex, contentIndex);
        return choice !== undefined && isRecord(part) && part.type === 'output_text'
          ? { ...part, text: guard.fullText(choice) }
          : part;
      }),
    };
  }

  function responseAsSent(value: unknown): Event {
    const base = isRecord(value) ? value : response;
    const output = Array.isArray(base.output) ? base.output : [];
    return { ...base, output: output.map((item: unknown, index) => itemAsSent(item, index)) };
  }

  function answerSoFar(): Event {
    return {
      ...response,
      output: [
        {
          type: 'message',
          role: 'assistant',
          content: [...parts.values()].map((choice) => ({
            type: 'output_text',
            text: guard.fullText(choice),
          })),
        },
        ...[...functionCalls].map(([outputIndex, item]) => itemAsSent(item, outputIndex)),
      ],
    };
  }

  async function denied(): Promise<{ out: string; stop: boolean }> {
    const results = await deniedStreamResults(verdicts, options, answerSoFar());
    return {
      out: options.deniedFrame(new GuardrailDeniedError(results).toEnvelope(), sequence++),
      stop: true,
    };
  }

  async function onFrame(raw: string): Promise<{ out: string; stop: boolean }> {
    const { event: name, data } = parseSseFrame(raw);
    if (name === 'error') return { out: `${raw}\n\n`, stop: true };
    let event: unknown;
    try {
      event = JSON.parse(data);
    } catch {
      return { out: `${raw}\n\n`, stop: false };
    }
    if (!isRecord(event)) return { out: `${raw}\n\n`, stop: false };
    switch (event.type) {
      case 'response.created':
      case 'response.in_progress':
        if (isRecord(event.response)) response = event.response;
        return { out: frame(event), stop: false };
      case 'response.output_item.added':
        if (args.scans && isRecord(event.item) && event.item.type === 'function_call')
          functionCalls.set(String(event.output_index), event.item);
        return { out: frame(event), stop: false };
      case 'response.function_call_arguments.delta': {
        const key = String(event.output_index);
        if (!functionCalls.has(key) || typeof event.delta !== 'string')
          return { out: frame(event), stop: false };
        const step = args.push(key, event.delta);
        if (step.denied) return denied();
        return { out: step.release === '' ? '' : frame({ ...event, delta: step.release }), stop: false };
      }
      case 'response.function_call_arguments.done': {
        const key = String(event.output_index);
        if (!functionCalls.has(key)) return { out: frame(event), stop: false };
        const step = args.finish(key);
        if (step.denied) return denied();
        const released = step.release === '' ? '' : argumentsDelta(key, step.release);
        return { out: released + frame({ ...event, arguments: args.sentArguments(key) }), stop: false };
      }
      case 'response.output_text.delta': {
        if (typeof event.delta !== 'string') return { out: frame(event), stop: false };
        const step = guard.push(partOf(event), event.delta);
        if (step.denied) return denied();
        return { out: step.release === '' ? '' : frame({ ...event, delta: step.release }), stop: false };
      }
      case 'response.output_text.done': {
        const choice = partOf(event);
        const step = guard.finish(choice);
        if (step.denied) return denied();
        const released = step.release === '' ? '' : delta(event, step.release);
        return { out: released + frame({ ...event, text: guard.fullText(choice) }), stop: false };
      }
      case 'response.content_part.done': {
        const choice = knownPart(event.output_index, event.content_index);
        if (choice === undefined || !isRecord(event.part) || event.part.type !== 'output_text')
          return { out: frame(event), stop: false };
        return {
          out: frame({ ...event, part: { ...event.part, text: guard.fullText(choice) } }),
          stop: false,
        };
      }
      case 'response.output_item.done':
        return { out: frame({ ...event, item: itemAsSent(event.item, event.output_index) }), stop: false };
      case 'response.completed':
      case 'response.incomplete': {
        const end = await finish(event.response);
        if (end.denied) return { out: end.out, stop: true };
        return { out: end.out + frame({ ...event, response: end.response }), stop: false };
      }
      default:
        return { out: frame(event), stop: false };
    }
  }

  /** Releases what every part still holds, then runs the whole-text checks (once) on the Response as sent. */
  async function finish(completed: unknown): Promise<{ out: string; denied: boolean; response: Event }> {
    let out = '';
    for (const [key, choice] of parts) {
      const step = guard.finish(choice);
      if (step.denied) return { out: (await denied()).out, denied: true, response };
      const [outputIndex, contentIndex] = key.split(':').map(Number);
      if (step.release !== '')
        out += delta(
          { item_id: itemIds.get(choice), output_index: outputIndex, content_index: contentIndex },
          step.release,
        );
    }
    for (const key of functionCalls.keys()) {
      const step = args.finish(key);
      if (step.denied) return { out: (await denied()).out, denied: true, response };
      if (step.release !== '') out += argumentsDelta(key, step.release);
    }
    finished = true;
    const sent = responseAsSent(completed);
    await streamResultsAtEnd(verdicts, options, sent);
    return { out, denied: false, response: sent };
  }

  return guardSseFrames(source, {
    onFrame,
    // A stream that ended cleanly without `response.completed`: what is held is judged and released.
    atEnd: async () => (finished ? '' : (await finish(undefined)).out),
  });
}
