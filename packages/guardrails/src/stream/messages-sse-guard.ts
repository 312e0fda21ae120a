import { isRecord } from '../model/is-record.js';
import { type DeniedEnvelope, GuardrailDeniedError } from '../run/guardrail-denied-error.js';
import { ArgumentsWindowGuard } from './arguments-window-guard.js';
import { type CancellableByteStream, guardSseFrames, parseSseFrame } from './sse-frames.js';
import {
  combinedVerdicts,
  deniedStreamResults,
  type StreamHooksOptions,
  streamResultsAtEnd,
} from './stream-results.js';
import { DEFAULT_HOLDBACK_CHARS, TextWindowGuard } from './text-window-guard.js';

/** What {@link guardMessagesSseStream} needs. */
export interface MessagesSseGuardOptions extends StreamHooksOptions {
  /**
   * The `event: error` frame that ends a stream a `deny` check stopped, from the 446 envelope and its
   * `hook_results` (Anthropic's error body: the gateway's dialect writes it).
   */
  readonly deniedFrame: (envelope: DeniedEnvelope) => string;
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function textDelta(index: number, text: string): string {
  return frame('content_block_delta', {
    type: 'content_block_delta',
    index,
    delta: { type: 'text_delta', text },
  });
}

function inputJsonDelta(index: number, partialJson: string): string {
  return frame('content_block_delta', {
    type: 'content_block_delta',
    index,
    delta: { type: 'input_json_delta', partial_json: partialJson },
  });
}

/** A tool's input as sent: the JSON object, or `{}` while it is not (yet) JSON. */
function inputAsSent(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/**
 * Runs a streamed Messages answer's after-request hooks while it streams, as {@link guardSseStream}
 * does for chat chunks (https://docs.anthropic.com/en/docs/build-with-claude/streaming): each `text`
 * content block's `text_delta`s are held back by a window of characters and checked incrementally
 * before they are sent, redactions included; so are the string values of each `tool_use` block's
 * `input_json_delta`s (see {@link ArgumentsWindowGuard}), as a JSON answer's checks read its `input`;
 * a block's held text or input goes out before its `content_block_stop`. When a `deny` check fails, nothing more is sent: the stream ends with
 * `event: error` carrying the 446 and `hook_results`, and the upstream is cancelled. Checks that
 * need the whole text run before `message_stop` over the Message rebuilt from the text blocks as
 * sent; with strict OpenAI compliance off their verdicts go out first as Portkey's
 * `event: hook_results`. Other events (thinking, usage, pings) pass as they are.
 */
export function guardMessagesSseStream(
  source: CancellableByteStream,
  options: MessagesSseGuardOptions,
): CancellableByteStream {
  const holdback = options.holdbackChars ?? DEFAULT_HOLDBACK_CHARS;
  const guard = new TextWindowGuard(options.hooks, holdback);
  const args = new ArgumentsWindowGuard(options.hooks, holdback);
  const verdicts = combinedVerdicts(guard, args);
  /** `tool_use` (and `server_tool_use`) blocks by index: their start, without the input. */
  const toolBlocks = new Map<number, Record<string, unknown>>();
  let message: Record<string, unknown> = {};
  let stopReason: unknown = null;
  let finished = false;

  function answerSoFar(): Record<string, unknown> {
    const blocks = new Map<number, unknown>();
    for (const index of guard.choices()) blocks.set(index, { type: 'text', text: guard.fullText(index) });
    for (const [index, block] of toolBlocks)
      blocks.set(index, { ...block, input: inputAsSent(args.sentArguments(String(index))) });
    return {
      ...message,
      content: [...blocks].sort(([a], [b]) => a - b).map(([, block]) => block),
      stop_reason: stopReason,
    };
  }

  async function denied(): Promise<{ out: string; stop: boolean }> {
    const results = await deniedStreamResults(verdicts, options, answerSoFar());
    return { out: options.deniedFrame(new GuardrailDeniedError(results).toEnvelope()), stop: true };
  }

  /** Releases every held block, then runs the whole-text checks (once). */
  async function finish(): Promise<{ out: string; denied: boolean }> {
    let out = '';
    for (const index of guard.choices()) {
      const step = guard.finish(index);
      if (step.denied) return { out: (await denied()).out, denied: true };
      if (step.release !== '') out += textDelta(index, step.release);
    }
    for (const index of toolBlocks.keys()) {
      const step = args.finish(String(index));
      if (step.denied) return { out: (await denied()).out, denied: true };
      if (step.release !== '') out += inputJsonDelta(index, step.release);
    }
    finished = true;
    const results = await streamResultsAtEnd(verdicts, options, answerSoFar());
    if (!options.strictOpenAICompliance) out += frame('hook_results', { hook_results: results });
    return { out, denied: false };
  }

  async function onFrame(raw: string): Promise<{ out: string; stop: boolean }> {
    const { event, data } = parseSseFrame(raw);
    const passed = { out: `${raw}\n\n`, stop: false };
    if (event === 'error') return { out: passed.out, stop: true };
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return passed;
    }
    if (!isRecord(parsed)) return passed;
    const index = typeof parsed.index === 'number' ? parsed.index : 0;
    switch (parsed.type) {
      case 'message_start':
        if (isRecord(parsed.message)) message = { ...parsed.message };
        return passed;
      case 'content_block_start': {
        const block = parsed.content_block;
        if (isRecord(block) && (block.type === 'tool_use' || block.type === 'server_tool_use')) {
          const { input: _input, ...start } = block;
          toolBlocks.set(index, start);
        }
        if (!isRecord(block) || block.type !== 'text' || typeof block.text !== 'string' || block.text === '')
          return passed;
        // A text block that starts with text of its own (Anthropic's start with ''): held as a delta.
        const step = guard.push(index, block.text);
        if (step.denied) return denied();
        const start = frame('content_block_start', { ...parsed, content_block: { ...block, text: '' } });
        return { out: step.release === '' ? start : start + textDelta(index, step.release), stop: false };
      }
      case 'content_block_delta': {
        const delta = parsed.delta;
        if (isRecord(delta) && delta.type === 'input_json_delta' && typeof delta.partial_json === 'string') {
          if (!args.scans || delta.partial_json === '') return passed;
          const step = args.push(String(index), delta.partial_json);
          if (step.denied) return denied();
          return { out: step.release === '' ? '' : inputJsonDelta(index, step.release), stop: false };
        }
        if (!isRecord(delta) || delta.type !== 'text_delta' || typeof delta.text !== 'string') return passed;
        const step = guard.push(index, delta.text);
        if (step.denied) return denied();
        return { out: step.release === '' ? '' : textDelta(index, step.release), stop: false };
      }
      case 'content_block_stop': {
        const input = args.finish(String(index));
        if (input.denied) return denied();
        if (input.release !== '')
          return { out: inputJsonDelta(index, input.release) + passed.out, stop: false };
        const step = guard.finish(index);
        if (step.denied) return denied();
        return {
          out: step.release === '' ? passed.out : textDelta(index, step.release) + passed.out,
          stop: false,
        };
      }
      case 'message_delta':
        if (isRecord(parsed.delta) && parsed.delta.stop_reason !== undefined)
          stopReason = parsed.delta.stop_reason;
        return passed;
      case 'message_stop': {
        if (finished) return passed;
        const end = await finish();
        return end.denied ? { out: end.out, stop: true } : { out: end.out + passed.out, stop: false };
      }
      default:
        return passed;
    }
  }

  return guardSseFrames(source, {
    onFrame,
    // A stream that ended cleanly without `message_stop`: what is held is judged and released.
    atEnd: async () => (finished ? '' : (await finish()).out),
  });
}
