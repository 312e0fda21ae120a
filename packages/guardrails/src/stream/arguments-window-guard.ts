import type { CompiledCheck, CompiledHook } from '../compile/compiled-hook.js';
import type { CheckOutcome } from '../model/check-definition.js';
import { DEFAULT_HOLDBACK_CHARS, type GuardStep, TextWindowGuard } from './text-window-guard.js';

/** What a JSON reader is in: between tokens, a key, a string value, or text that is not JSON. */
type ReaderMode = 'structure' | 'key' | 'value' | 'plain';

/** One streamed tool call's arguments. */
interface CallState {
  mode: ReaderMode;
  /** Open containers, innermost last. */
  readonly stack: ('{' | '[')[];
  /** In an object, the next string is a key. */
  expectKey: boolean;
  /** Inside a string: after a backslash (`\\`), or collecting the hex digits of `\u`. */
  escape: '' | '\\' | 'u';
  hex: string;
  /** The window (of {@link TextWindowGuard}) of the string value or plain text being read. */
  window: number | undefined;
  /** The open value's raw text not sent yet, its decoded text not judged yet, and where each decoded character ends in the raw text. */
  raw: string;
  decoded: string;
  rawEnds: number[];
  /** Decoded characters of the open value pushed to the window but not released yet, and their raw ends. */
  heldDecoded: string;
  heldRawEnds: number[];
  /** A redaction rewrote this value: what it releases is written as JSON, not copied from the raw text. */
  rewritten: boolean;
  /** The arguments text as sent. */
  sent: string[];
}

/** Checks whose streamed judgement applies to tool-call arguments (all, or those that read every text). */
function hooksFor(hooks: readonly CompiledHook[], reads: (check: CompiledCheck) => boolean): CompiledHook[] {
  return hooks.map((hook) => ({ ...hook, checks: hook.checks.filter(reads) }));
}

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** Characters that may stand between JSON strings: punctuation, white space, numbers, true/false/null. */
const STRUCTURE = /[\s{}[\],:0-9eE+\-.truefalsn]/;

/**
 * Judges the arguments of streamed tool calls as {@link TextWindowGuard} judges text, with the same
 * reading as for an answer that does not stream: each string value of the arguments' JSON is a text
 * of its own, decoded (a JSON escape cannot hide what a check looks for), while keys, punctuation,
 * numbers and literals are not checked and go out at once. A value is held back by the window and
 * released as it is written; a redacted value goes out written as JSON again, so the arguments stay
 * valid JSON. Arguments that stop being JSON are judged as plain text from there on. Calls are keyed
 * by the caller (`<choice>:<index>`, a block index, an output index).
 */
export class ArgumentsWindowGuard {
  readonly #guard: TextWindowGuard;
  readonly #calls = new Map<string, CallState>();
  #windows = 0;

  /**
   * @param reads which checks judge tool-call arguments (in Chat Completions only those that read
   *   every text of an answer, as for a JSON answer)
   */
  constructor(
    hooks: readonly CompiledHook[],
    holdbackChars = DEFAULT_HOLDBACK_CHARS,
    reads: (check: CompiledCheck) => boolean = () => true,
  ) {
    this.#guard = new TextWindowGuard(hooksFor(hooks, reads), holdbackChars);
  }

  /** Whether any check judges arguments (otherwise they pass as they come). */
  get scans(): boolean {
    return this.#guard.scans;
  }

  #state(call: string): CallState {
    let state = this.#calls.get(call);
    if (state === undefined) {
      state = {
        mode: 'structure',
        stack: [],
        expectKey: false,
        escape: '',
        hex: '',
        window: undefined,
        raw: '',
        decoded: '',
        rawEnds: [],
        heldDecoded: '',
        heldRawEnds: [],
        rewritten: false,
        sent: [],
      };
      this.#calls.set(call, state);
    }
    return state;
  }

  /** New arguments text of a call; returns the arguments text that may be sent now. */
  push(call: string, text: string): GuardStep {
    const state = this.#state(call);
    if (!this.scans) return this.#sent(state, text);
    let out = '';
    let structure = '';
    for (const char of text) {
      if (state.mode === 'plain') {
        state.raw += char;
        continue;
      }
      if (state.mode === 'value') {
        if (this.#readValueChar(state, char)) continue;
        // The closing quote: the value is complete.
        const step = this.#judge(state, true);
        if (step.denied) return this.#denied();
        out += `${step.release}"`;
        state.mode = 'structure';
        state.window = undefined;
        continue;
      }
      if (state.mode === 'key') {
        structure += char;
        if (state.escape === '\\') state.escape = '';
        else if (char === '\\') state.escape = '\\';
        else if (char === '"') state.mode = 'structure';
        continue;
      }
      if (char === '"') {
        const top = state.stack[state.stack.length - 1];
        if (top === '{' && state.expectKey) {
          state.mode = 'key';
          structure += char;
          continue;
        }
        out += `${structure}"`;
        structure = '';
        this.#open(state, 'value');
        continue;
      }
      if (!STRUCTURE.test(char)) {
        out += structure;
        structure = '';
        this.#open(state, 'plain');
        state.raw = char;
        continue;
      }
      structure += char;
      if (char === '{' || char === '[') {
        state.stack.push(char);
        state.expectKey = char === '{';
      } else if (char === '}' || char === ']') state.stack.pop();
      else if (char === ':') state.expectKey = false;
      else if (char === ',') state.expectKey = state.stack[state.stack.length - 1] === '{';
    }
    out += structure;
    if (state.mode === 'value' || state.mode === 'plain') {
      const step = this.#judge(state, false);
      if (step.denied) return this.#denied();
      out += step.release;
    }
    return this.#sent(state, out);
  }

  /** The call's arguments are complete: what its open value still holds is judged and released. */
  finish(call: string): GuardStep {
    const state = this.#calls.get(call);
    if (state === undefined || state.window === undefined) return { release: '', denied: false };
    const step = this.#judge(state, true);
    if (step.denied) return step;
    state.window = undefined;
    state.mode = 'structure';
    return this.#sent(state, step.release);
  }

  /** Calls seen so far, in the order they started. */
  calls(): string[] {
    return [...this.#calls.keys()];
  }

  /** A call's arguments as sent so far. */
  sentArguments(call: string): string {
    const state = this.#calls.get(call);
    if (state === undefined) return '';
    const text = state.sent.join('');
    state.sent = [text];
    return text;
  }

  failedChecks(): ReadonlySet<CompiledCheck> {
    return this.#guard.failedChecks();
  }

  decidedOutcomes(): Map<CompiledCheck, CheckOutcome> {
    return this.#guard.decidedOutcomes();
  }

  #sent(state: CallState, text: string): GuardStep {
    if (text !== '') state.sent.push(text);
    return { release: text, denied: false };
  }

  /** A `deny` check failed: nothing of this push goes out (the stream ends). */
  #denied(): GuardStep {
    return { release: '', denied: true };
  }

  /** Starts a string value (or the plain text that follows what stopped being JSON) in a window of its own. */
  #open(state: CallState, mode: 'value' | 'plain'): void {
    state.mode = mode;
    state.window = this.#windows++;
    state.escape = '';
    state.hex = '';
    state.raw = '';
    state.decoded = '';
    state.rawEnds = [];
    state.heldDecoded = '';
    state.heldRawEnds = [];
    state.rewritten = false;
  }

  /** Reads one character of a string value; false for the closing quote. */
  #readValueChar(state: CallState, char: string): boolean {
    state.raw += char;
    if (state.escape === 'u') {
      state.hex += char;
      if (state.hex.length === 4) {
        this.#decoded(state, String.fromCharCode(Number.parseInt(state.hex, 16) || 0));
        state.escape = '';
        state.hex = '';
      }
      return true;
    }
    if (state.escape === '\\') {
      if (char === 'u') {
        state.escape = 'u';
        return true;
      }
      state.escape = '';
      this.#decoded(state, ESCAPES[char] ?? char);
      return true;
    }
    if (char === '\\') {
      state.escape = '\\';
      return true;
    }
    if (char === '"') {
      state.raw = state.raw.slice(0, -1);
      return false;
    }
    this.#decoded(state, char);
    return true;
  }

  /** Decoded characters (one UTF-16 unit each, or a whole code point) ending at the raw text's end. */
  #decoded(state: CallState, text: string): void {
    state.decoded += text;
    for (let index = 0; index < text.length; index += 1) state.rawEnds.push(state.raw.length);
  }

  /** Pushes what was read of the open value (or plain text) to its window; maps the release back. */
  #judge(state: CallState, final: boolean): GuardStep {
    const window = state.window;
    if (window === undefined) return { release: '', denied: false };
    if (state.mode === 'plain') {
      const pushed = state.raw;
      state.raw = '';
      const step = pushed === '' ? { release: '', denied: false } : this.#guard.push(window, pushed);
      if (step.denied || !final) return step;
      const end = this.#guard.finish(window);
      return end.denied ? end : { release: step.release + end.release, denied: false };
    }
    const pushed = state.decoded;
    state.heldDecoded += pushed;
    state.heldRawEnds.push(...state.rawEnds);
    state.decoded = '';
    state.rawEnds = [];
    let step = pushed === '' ? { release: '', denied: false } : this.#guard.push(window, pushed);
    if (step.denied) return step;
    if (final) {
      const end = this.#guard.finish(window);
      if (end.denied) return end;
      step = { release: step.release + end.release, denied: false };
    }
    return { release: this.#asWritten(state, step.release), denied: false };
  }

  /** Released decoded text as it goes out: the raw text it came from, or JSON once a redaction rewrote it. */
  #asWritten(state: CallState, release: string): string {
    if (release === '') return '';
    if (!state.rewritten && state.heldDecoded.startsWith(release)) {
      const rawEnd = state.heldRawEnds[release.length - 1] ?? 0;
      const written = state.raw.slice(0, rawEnd);
      state.raw = state.raw.slice(rawEnd);
      state.heldDecoded = state.heldDecoded.slice(release.length);
      state.heldRawEnds = state.heldRawEnds.slice(release.length).map((end) => end - rawEnd);
      state.rawEnds = state.rawEnds.map((end) => end - rawEnd);
      return written;
    }
    state.rewritten = true;
    state.raw = '';
    state.heldDecoded = '';
    state.heldRawEnds = [];
    return JSON.stringify(release).slice(1, -1);
  }
}
