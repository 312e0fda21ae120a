import type { PreparedRequest } from '../spec/provider-adapter.js';
import { bodyJsonOf } from './body-json.js';

/**
 * The upstream JSON of a native dialect body: the client's own bytes when nothing changed it (no
 * `override_params`, no provider options), else the body with the provider's options merged.
 */
export function nativeDialectBodyJson(request: PreparedRequest): string | Uint8Array {
  if (Object.keys(request.providerOptions).length > 0) {
    return JSON.stringify({ ...request.body, ...request.providerOptions });
  }
  return bodyJsonOf(request.body) ?? JSON.stringify(request.body);
}

/** The dialect body with the provider's options merged and the given fields removed. */
export function nativeDialectBodyWithout(
  request: PreparedRequest,
  fields: readonly string[],
): Record<string, unknown> {
  const body: Record<string, unknown> = { ...request.body, ...request.providerOptions };
  for (const field of fields) delete body[field];
  return body;
}
