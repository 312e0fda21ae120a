import type { PathSegment } from '@pk/config';
import type { GuardrailServices } from '../network/guardrail-transport.js';
import type { StreamScanner } from '../stream/stream-scanner.js';
import type { HookContext, HookEvent } from './hook-context.js';
import type { CheckError } from './hook-results.js';

/** Where a hook was written: a request's config (inline or saved) or the operator's `guardrails:` map. */
export type HookOrigin = 'config' | 'operator';

/** What compiling parameters may need from the caller. */
export interface CompileOptions {
  /**
   * Resolves an `env:NAME` / `file:PATH` reference (webhook `secret`) to its value, or undefined. Only
   * the operator's guardrails get one; the package itself reads no environment and no file.
   */
  readonly resolveSecret?: ((reference: string) => string | undefined) | undefined;
}

/** A problem with a check's parameters, found when the config is parsed. */
export interface ParameterIssue {
  /** Path below `parameters` (`['rule']`), empty for the parameters object itself. */
  readonly path: readonly PathSegment[];
  readonly message: string;
}

/** Parameters after validation (regexes compiled, schemas compiled), or why they are refused. */
export type CompiledParameters<P> =
  | { readonly ok: true; readonly parameters: P }
  | { readonly ok: false; readonly issues: readonly ParameterIssue[] };

/** What a check answers. A check never throws: a failure to decide is an `error`. */
export interface CheckOutcome {
  readonly verdict: boolean;
  readonly data: unknown;
  readonly error?: CheckError;
  /** The request body to use from now on (mutators, webhooks). */
  readonly transformedRequest?: Readonly<Record<string, unknown>>;
  /** The answer to use from now on. */
  readonly transformedResponse?: Readonly<Record<string, unknown>>;
}

/** One run of a check. */
export interface CheckRunInput<P> {
  readonly context: HookContext;
  readonly parameters: P;
  readonly event: HookEvent;
  readonly services: GuardrailServices;
  /** The request's signal (the client left). */
  readonly signal?: AbortSignal | undefined;
}

/** A check pk can run: its id, how its parameters are validated, and what it does. */
export interface CheckDefinition<P = unknown> {
  /** `default.regexMatch`, `pk.pii` … */
  readonly id: string;
  /**
   * Validates and prepares the parameters once, when the config is parsed: a regex that does not
   * compile or a parameter of the wrong type is a 400 naming its path, never an error at run time.
   */
  compile(
    parameters: Readonly<Record<string, unknown>>,
    origin: HookOrigin,
    options: CompileOptions,
  ): CompiledParameters<P>;
  /** Runs the check. */
  run(input: CheckRunInput<P>): CheckOutcome | Promise<CheckOutcome>;
  /**
   * For an answer that streams: a scanner that sees the text as it arrives and reports, as early as
   * the text allows, a failure that no later text can undo, or rewrites the text before it is sent
   * (redaction). Checks without one run on the whole text at the end.
   */
  scanStream?(parameters: P): StreamScanner | undefined;
  /**
   * True for checks that read every text of an answer, tool-call arguments included (pk's own);
   * Portkey's `default.*` checks read the current content part, which in Chat Completions is the
   * message content only. Decides which checks judge streamed tool-call arguments in chat streams.
   */
  readonly readsEveryText?: boolean;
  /** True for checks that send the request to a URL of their parameters: only the operator's guardrails may. */
  readonly operatorOnly?: boolean;
}

/** A check's error as it appears in `hook_results`. */
export function checkError(message: string, name = 'Error'): CheckError {
  return { name, message };
}
