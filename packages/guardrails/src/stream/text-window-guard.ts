import type { CompiledCheck, CompiledHook } from '../compile/compiled-hook.js';
import type { CheckOutcome } from '../model/check-definition.js';
import type { StreamScanner } from './stream-scanner.js';

/** Characters held back by default: text is sent only once this many characters follow it. */
export const DEFAULT_HOLDBACK_CHARS = 128;

/** A check that can judge a stream as it arrives, with its hook. */
interface ScannedCheck {
  readonly hook: CompiledHook;
  readonly check: CompiledCheck;
  /** Redacting scanners run first: detectors then see the masked text. */
  readonly redacts: boolean;
}

/** The text of one choice: what was sent (kept whole for the end-of-stream checks) and what is held. */
interface ChoiceState {
  readonly scanners: StreamScanner[];
  sent: string[];
  sentLength: number;
  /** The last characters sent (context for `\b`, lookbehind and matches across the boundary). */
  tail: string;
  unsent: string;
}

/** What one step released. */
export interface GuardStep {
  /** Text that may go to the client now. */
  readonly release: string;
  /** A `deny` hook failed: send nothing more. */
  readonly denied: boolean;
}

/**
 * Holds back the last `holdbackChars` characters of each choice of a streamed answer and runs the
 * incremental checks (regex, contains, PII, secrets) over them before anything is sent: a match of
 * up to `holdbackChars` characters that fails a `deny` check is never sent, and redactions happen
 * before the text leaves. Checks that need the whole text run at the end, over {@link fullText}.
 */
export class TextWindowGuard {
  readonly #checks: readonly ScannedCheck[];
  readonly #holdback: number;
  readonly #choices = new Map<number, ChoiceState>();
  readonly #failed = new Set<CompiledCheck>();

  constructor(hooks: readonly CompiledHook[], holdbackChars = DEFAULT_HOLDBACK_CHARS) {
    this.#holdback = holdbackChars;
    const checks: ScannedCheck[] = [];
    for (const hook of hooks) {
      if (hook.async) continue;
      for (const check of hook.checks) {
        if (!check.enabled || check.definition.scanStream === undefined) continue;
        if (check.definition.scanStream(check.parameters) === undefined) continue;
        checks.push({
          hook,
          check,
          redacts: hook.type === 'mutator' || check.id === 'default.regexReplace' || isRedacting(check),
        });
      }
    }
    // Stable: redactors first, in hook order.
    this.#checks = [...checks.filter((entry) => entry.redacts), ...checks.filter((entry) => !entry.redacts)];
  }

  /** Whether any check scans the stream (otherwise text is held back for nothing). */
  get scans(): boolean {
    return this.#checks.length > 0;
  }

  #state(choice: number): ChoiceState {
    let state = this.#choices.get(choice);
    if (state === undefined) {
      state = {
        scanners: this.#checks.map(
          (entry) => entry.check.definition.scanStream?.(entry.check.parameters) as StreamScanner,
        ),
        sent: [],
        sentLength: 0,
        tail: '',
        unsent: '',
      };
      this.#choices.set(choice, state);
    }
    return state;
  }

  /** New text of a choice; returns what may be sent now. */
  push(choice: number, text: string): GuardStep {
    const state = this.#state(choice);
    state.unsent += text;
    return this.#advance(state, false);
  }

  /** The choice is complete (finish_reason or end of stream): everything still held is judged and released. */
  finish(choice: number): GuardStep {
    const state = this.#choices.get(choice);
    if (state === undefined || state.unsent === '') return { release: '', denied: false };
    return this.#advance(state, true);
  }

  /** Choices seen so far. */
  choices(): number[] {
    return [...this.#choices.keys()].sort((a, b) => a - b);
  }

  /** A choice's text as sent so far (after redaction). */
  fullText(choice: number): string {
    const state = this.#choices.get(choice);
    if (state === undefined) return '';
    const text = state.sent.join('');
    state.sent = [text];
    return text;
  }

  /** Checks whose scanner failed, by check. */
  failedChecks(): ReadonlySet<CompiledCheck> {
    return this.#failed;
  }

  /** Outcomes scanners decided over the whole stream (redactions), for the end-of-stream results. */
  decidedOutcomes(): Map<CompiledCheck, CheckOutcome> {
    const decided = new Map<CompiledCheck, CheckOutcome>();
    for (const state of this.#choices.values()) {
      state.scanners.forEach((scanner, index) => {
        const entry = this.#checks[index];
        const outcome = scanner.outcome?.();
        if (entry !== undefined && outcome !== undefined && !decided.has(entry.check))
          decided.set(entry.check, outcome);
      });
    }
    return decided;
  }

  #advance(state: ChoiceState, final: boolean): GuardStep {
    let region = state.tail + state.unsent;
    const unsentAt = state.tail.length;
    // region[0] is context only when text before it was sent and is not in the region.
    const from = state.sentLength > state.tail.length ? 1 : 0;
    let hold = region.length;
    let denied = false;
    state.scanners.forEach((scanner, index) => {
      const step = scanner.scan(region, from, unsentAt, final);
      if (step.region !== undefined) region = step.region;
      if (step.holdFrom !== undefined) hold = Math.min(hold, step.holdFrom);
      if (step.failed === true) {
        const entry = this.#checks[index];
        if (entry !== undefined) {
          this.#failed.add(entry.check);
          if (entry.hook.deny) denied = true;
        }
      }
    });
    if (denied) {
      state.unsent = region.slice(unsentAt);
      return { release: '', denied: true };
    }
    // Without an incremental check nothing can be caught early: holding text back would only delay it.
    const holdback = this.#checks.length === 0 ? 0 : this.#holdback;
    let releaseEnd = Math.max(unsentAt, final ? region.length : Math.min(hold, region.length - holdback));
    // A character of two UTF-16 units (an emoji) leaves whole: its second half may not have arrived.
    if (!final && releaseEnd > unsentAt && isHighSurrogate(region.charCodeAt(releaseEnd - 1)))
      releaseEnd -= 1;
    const release = region.slice(unsentAt, releaseEnd);
    state.unsent = region.slice(releaseEnd);
    if (release !== '') {
      state.sent.push(release);
      state.sentLength += release.length;
      state.tail = (state.tail + release).slice(-(this.#holdback + 1));
    }
    return { release, denied: false };
  }
}

/** pk.pii / pk.secrets with `redact: true` rewrite the text. */
function isRedacting(check: CompiledCheck): boolean {
  const parameters = check.parameters as { redact?: unknown } | null;
  return (check.id === 'pk.pii' || check.id === 'pk.secrets') && parameters?.redact === true;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
