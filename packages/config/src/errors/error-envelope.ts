import { z } from 'zod';
import { brandPrototype, type ClassOf, isBrandedInstance } from './brand.js';
import { PK_ERROR_CATALOGUE, type PkErrorCode } from './error-codes.js';

/**
 * The OpenAI error envelope, `{"error":{"message","type","param","code"}}`: the only error shape both
 * the `openai` and `portkey-ai` SDKs surface with its message intact
 * (https://platform.openai.com/docs/guides/error-codes). Parsed leniently: providers add fields.
 */
export const openAIErrorEnvelopeSchema = z.object({
  error: z.looseObject({
    message: z.string(),
    type: z.string().nullable(),
    param: z.string().nullable(),
    code: z.union([z.string(), z.number()]).nullable(),
  }),
});

/** The OpenAI error envelope. */
export type OpenAIErrorEnvelope = z.infer<typeof openAIErrorEnvelopeSchema>;

/** Builds the envelope for one of pk's own errors. `message` must not carry secrets or internals. */
export function createErrorEnvelope(options: {
  code: PkErrorCode;
  message: string;
  param?: string | null;
}): OpenAIErrorEnvelope {
  return {
    error: {
      message: options.message,
      type: PK_ERROR_CATALOGUE[options.code].type,
      param: options.param ?? null,
      code: options.code,
    },
  };
}

/** The HTTP status of one of pk's own errors. */
export function statusOfErrorCode(code: PkErrorCode): number {
  return PK_ERROR_CATALOGUE[code].status;
}

/**
 * Marks every `PkError`, whichever copy of this package made it: `Symbol.for` gives one symbol per
 * process, where a class is one per loaded copy (the SDK's CommonJS build bundles its own).
 */
const PK_ERROR_BRAND = Symbol.for('pk.config.PkError');

/**
 * An error pk raises itself: carries its stable code; its message is safe to show to clients.
 * `error instanceof PkError` holds for a `PkError` from any copy of `@pk/config` loaded in the process
 * (an ES module and a CommonJS bundle of it, say); a subclass keeps the ordinary prototype check.
 */
export class PkError extends Error {
  /** Stable code (`PK_ERR_*`). */
  readonly code: PkErrorCode;
  /** HTTP status from the catalogue. */
  readonly status: number;
  /** The request field or header the error is about, when there is one. */
  readonly param: string | null;

  constructor(code: PkErrorCode, message: string, options: { param?: string | null; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PkError';
    this.code = code;
    this.status = PK_ERROR_CATALOGUE[code].status;
    this.param = options.param ?? null;
  }

  /** This error as the OpenAI envelope. */
  toEnvelope(): OpenAIErrorEnvelope {
    return createErrorEnvelope({ code: this.code, message: this.message, param: this.param });
  }

  static {
    // biome-ignore lint/complexity/noThisInStatic: `this` is PkError; naming it would make a bundler rename the class
    brandPrototype(this, PK_ERROR_BRAND);
  }

  /** `instanceof PkError` by brand, across copies of the package; `instanceof` a subclass by prototype. */
  static override [Symbol.hasInstance]<T>(this: ClassOf<T>, value: unknown): value is T {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class right of `instanceof` (a subclass or this one)
    return isBrandedInstance(this, PK_ERROR_BRAND, value);
  }
}
