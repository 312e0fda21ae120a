import type { OpenAIErrorEnvelope } from '@pk/config';

const UPSTREAM_ERROR_MARKER = Symbol.for('pk.providers.UpstreamError');

/** Any class whose instances are `T`: the `this` of a static `[Symbol.hasInstance]`. */
type ClassOf<T> = abstract new (...args: never[]) => T;

/** Statuses worth retrying on another attempt: timeouts, conflicts, rate limits and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** What an {@link UpstreamError} is built from. */
export interface UpstreamErrorInit {
  /** HTTP status to answer with (the provider's own, or 502 when it could not be reached). */
  readonly status: number;
  /** Id of the provider that failed (`anthropic`, `groq` …). */
  readonly provider: string;
  /** The vendor's message, shown to the client unprefixed. */
  readonly message: string;
  /** The vendor's error `type` (`rate_limit_error`, `overloaded_error` …), kept as sent. */
  readonly type?: string | null;
  /** The vendor's error `code` (`context_length_exceeded` …), kept as sent. */
  readonly code?: string | number | null;
  /** The request field the error is about, when the vendor says. */
  readonly param?: string | null;
  /** Overrides the status-based default of {@link isRetryableStatus}. */
  readonly retryable?: boolean;
  /** Milliseconds the vendor asked to wait (`retry-after`, `retry-after-ms`). */
  readonly retryAfterMs?: number;
  /**
   * True when the provider never answered: the connection was refused or reset, or DNS or TLS
   * failed. The engine retries such failures whatever `retry.on_status_codes` says.
   */
  readonly connectionError?: boolean;
  /** The raw vendor body, for logs (never sent to the client). */
  readonly raw?: unknown;
  /**
   * Fields of the vendor's error object the client gets beside `message`, `type`, `param` and `code`,
   * as sent (Azure's `innererror`, which says which content filter refused the prompt).
   */
  readonly details?: Readonly<Record<string, unknown>>;
  /** The underlying exception (connection errors). */
  readonly cause?: unknown;
}

/**
 * The one error type for provider failures: an HTTP error answer, an unreachable upstream, a timeout.
 * `message` (for logs) names the provider; {@link UpstreamError.toEnvelope} gives the OpenAI envelope
 * the client sees, which keeps the vendor's message, `type` and `code` as sent (clients test
 * `code === 'context_length_exceeded'`) and names the provider only in `x-portkey-provider`.
 */
export class UpstreamError extends Error {
  /** HTTP status to answer with. */
  readonly status: number;
  /** Provider id. */
  readonly provider: string;
  /** The vendor's message, unprefixed. */
  readonly vendorMessage: string;
  /** Vendor error type, or `null`. */
  readonly type: string | null;
  /** Vendor error code, or `null`. */
  readonly code: string | number | null;
  /** Request field the error is about, or `null`. */
  readonly param: string | null;
  /** Whether another attempt may succeed. */
  readonly retryable: boolean;
  /** Milliseconds the vendor asked to wait before retrying, when it said. */
  readonly retryAfterMs: number | undefined;
  /** True when the provider never answered (see {@link UpstreamErrorInit.connectionError}). */
  readonly connectionError: boolean;
  /** The vendor's body, for logs. */
  readonly raw: unknown;
  /** Vendor error fields sent to the client as they came (see {@link UpstreamErrorInit.details}). */
  readonly details: Readonly<Record<string, unknown>>;
  /**
   * Headers of the provider's error answer the client gets too: its own `x-ratelimit-*` (what a
   * client backs off by after a 429). Set by the call that read the answer; empty otherwise.
   */
  answerHeaders: Readonly<Record<string, string>> = {};
  readonly [UPSTREAM_ERROR_MARKER] = true;

  constructor(init: UpstreamErrorInit) {
    super(
      `${init.provider}: ${init.status} ${init.message}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.name = 'UpstreamError';
    this.status = init.status;
    this.provider = init.provider;
    this.vendorMessage = init.message;
    this.type = init.type ?? null;
    this.code = init.code ?? null;
    this.param = init.param ?? null;
    this.retryable = init.retryable ?? isRetryableStatus(init.status);
    this.retryAfterMs = init.retryAfterMs;
    this.connectionError = init.connectionError ?? false;
    this.raw = init.raw;
    this.details = init.details ?? {};
  }

  /** True for any `UpstreamError`, even one from another copy of this package. */
  static isInstance(value: unknown): value is UpstreamError {
    return typeof value === 'object' && value !== null && UPSTREAM_ERROR_MARKER in value;
  }

  /**
   * `instanceof UpstreamError` holds for one from any copy of this package loaded in the process, as
   * {@link UpstreamError.isInstance}; `instanceof` a subclass keeps the ordinary prototype check.
   */
  static override [Symbol.hasInstance]<T>(this: ClassOf<T>, value: unknown): value is T {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class right of `instanceof` (a subclass or this one)
    return isUpstreamErrorInstance(this, value);
  }

  /** The OpenAI error envelope sent to the client: the vendor's {@link details} after the four fields. */
  toEnvelope(): OpenAIErrorEnvelope {
    return {
      error: {
        message: this.vendorMessage,
        type: this.type,
        param: this.param,
        code: this.code,
        ...withoutEnvelopeFields(this.details),
      },
    };
  }
}

/** The envelope's own four fields are never overridden by a vendor's details. */
function withoutEnvelopeFields(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { message: _message, type: _type, param: _param, code: _code, ...rest } = details;
  return rest;
}

/** `value instanceof target`: by marker for `UpstreamError` itself, by prototype for a subclass. */
function isUpstreamErrorInstance(target: ClassOf<unknown>, value: unknown): boolean {
  return target === UpstreamError
    ? UpstreamError.isInstance(value)
    : Function.prototype[Symbol.hasInstance].call(target, value);
}
