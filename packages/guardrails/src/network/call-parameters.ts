import { z } from 'zod';
import type { CompileOptions, ParameterIssue } from '../model/check-definition.js';
import { SecretValue } from './secret-value.js';

/** Default and largest `timeout` of a webhook or log call, in milliseconds. */
export const DEFAULT_CALL_TIMEOUT_MS = 3000;
export const MAX_CALL_TIMEOUT_MS = 30_000;
/** Largest answer read from a webhook (1 MiB); a larger one is an error. */
export const MAX_WEBHOOK_ANSWER_BYTES = 1024 * 1024;

/** Headers the caller cannot set: framing is the transport's, signatures are pk's. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'x-pk-timestamp',
  'x-pk-signature',
]);

/** `headers`: an object of strings, or that object as a JSON string (Portkey accepts both). */
export const headersParameter = z
  .union([z.record(z.string(), z.string()), z.string()])
  .optional()
  .transform((value, context) => {
    if (value === undefined) return {};
    let headers: unknown = value;
    if (typeof value === 'string') {
      try {
        headers = JSON.parse(value);
      } catch {
        context.addIssue({
          code: 'custom',
          message: 'expected headers as an object or a JSON object string',
        });
        return z.NEVER;
      }
    }
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
      context.addIssue({ code: 'custom', message: 'expected headers as an object of strings' });
      return z.NEVER;
    }
    const out: Record<string, string> = {};
    for (const [name, headerValue] of Object.entries(headers)) {
      if (typeof headerValue !== 'string') {
        context.addIssue({ code: 'custom', message: `expected header ${name} to be a string` });
        return z.NEVER;
      }
      if (!RESERVED_HEADERS.has(name.toLowerCase())) out[name.toLowerCase()] = headerValue;
    }
    return out;
  });

/** `timeout` in milliseconds (default 3000, at most 30 000). */
export const timeoutParameter = z.number().int().min(1).max(MAX_CALL_TIMEOUT_MS).optional();

/** An absolute http(s) URL. */
export const urlParameter = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, 'expected an absolute http:// or https:// URL');

/** The URL as shown in results: scheme, host and path (a query may carry a token). */
export function shownUrl(value: string): string {
  try {
    const url = new URL(value);
    return `${url.origin}${url.pathname}`;
  } catch {
    return 'an invalid URL';
  }
}

/** Resolves `secret` (an `env:` / `file:` reference) through the caller; undefined when absent. */
export function resolveSecretParameter(
  value: unknown,
  options: CompileOptions,
  issues: ParameterIssue[],
): SecretValue | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^(env|file):./.test(value)) {
    issues.push({ path: ['secret'], message: 'expected an env:NAME or file:PATH reference' });
    return undefined;
  }
  const resolved = options.resolveSecret?.(value);
  if (resolved === undefined || resolved === '') {
    issues.push({
      path: ['secret'],
      message: `cannot resolve ${value.startsWith('env:') ? 'environment variable' : 'file'} ${value.slice(value.indexOf(':') + 1)}`,
    });
    return undefined;
  }
  return new SecretValue(resolved);
}
