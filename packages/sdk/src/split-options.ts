import {
  CLIENT_ONLY_OPTION_NAMES,
  isInternalRequestKey,
  OPENAI_CLIENT_OPTION_NAMES,
  OPENAI_REQUEST_OPTION_NAMES,
} from './option-names.js';

/** Options split by who reads them. */
export interface SplitOptions {
  /** Sent as headers (`@pk/headers`' `buildRequestHeaders`). */
  readonly portkey: Record<string, unknown>;
  /** Passed to the openai client or request unchanged. */
  readonly openai: Record<string, unknown>;
}

/** Splits constructor options: openai's client options, client-only options (dropped), the rest pk's. */
export function splitClientOptions(options: Readonly<Record<string, unknown>>): SplitOptions {
  const portkey: Record<string, unknown> = {};
  const openai: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (OPENAI_CLIENT_OPTION_NAMES.has(key)) openai[key] = value;
    else if (!CLIENT_ONLY_OPTION_NAMES.has(key)) portkey[key] = value;
  }
  return { portkey, openai };
}

/** Splits one call's options: openai's request options (and internal keys), the rest pk's. */
export function splitCallOptions(options: Readonly<Record<string, unknown>>): SplitOptions {
  const portkey: Record<string, unknown> = {};
  const openai: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (OPENAI_REQUEST_OPTION_NAMES.has(key) || isInternalRequestKey(key)) openai[key] = value;
    else if (!CLIENT_ONLY_OPTION_NAMES.has(key)) portkey[key] = value;
  }
  return { portkey, openai };
}
