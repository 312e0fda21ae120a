import type { PreparedRequest, ProviderRequest, ProviderTarget } from '../spec/provider-adapter.js';
import { bodyJsonOf, rememberBodyJson } from './body-json.js';
import { isJsonObject } from './json.js';

/** A prepared request plus what the shared response steps need to remember. */
export interface PreparedCall extends PreparedRequest {
  /** The client asked for base64 embeddings: upstream gets floats, the answer is encoded once here. */
  readonly wantsBase64Embeddings: boolean;
}

/**
 * The shared steps before any adapter runs:
 * - `provider_options` is removed from the body and only `provider_options[<answering provider>]`
 *   (then the target's own `provider_options[<provider>]`) is kept, for the adapter to merge into the
 *   upstream body, so a fallback never sends one vendor's options to another;
 * - the target's `override_params` replace the client's values (on a multipart upload, its text
 *   fields: strings, numbers and booleans as their text);
 * - `encoding_format: "base64"` is removed for embeddings and applied once on the way back;
 * - when none of that changed anything, the body keeps the client's JSON bytes (`body-json.ts`).
 */
export function prepareRequest(options: {
  readonly request: ProviderRequest;
  readonly provider: string;
  readonly target: ProviderTarget;
  readonly overrideParams?: Readonly<Record<string, unknown>>;
}): PreparedCall {
  const { request, provider, target } = options;
  const { provider_options: bodyProviderOptions, ...rest } = request.body ?? {};
  const body: Record<string, unknown> = { ...rest, ...(options.overrideParams ?? {}) };
  const providerOptions: Record<string, unknown> = {};
  for (const source of [bodyProviderOptions, target.provider_options]) {
    const own = isJsonObject(source) ? source[provider] : undefined;
    if (isJsonObject(own)) Object.assign(providerOptions, own);
  }
  let wantsBase64Embeddings = false;
  if (request.endpoint === 'embeddings' && body.encoding_format === 'base64') {
    wantsBase64Embeddings = true;
    delete body.encoding_format;
  }
  const receivedJson = bodyJsonOf(request.body);
  const unchanged =
    receivedJson !== undefined &&
    bodyProviderOptions === undefined &&
    !wantsBase64Embeddings &&
    (options.overrideParams === undefined || Object.keys(options.overrideParams).length === 0);
  // The client's bytes still say exactly what `body` says: the adapter may send them as they are.
  if (unchanged) rememberBodyJson(body, receivedJson);
  const raw = rawBodyOf(request, options.overrideParams);
  const stream = body.stream === true;
  const streamOptions = body.stream_options;
  const clientWantsUsage = stream && isJsonObject(streamOptions) && streamOptions.include_usage === true;
  return {
    endpoint: request.endpoint,
    body,
    providerOptions,
    stream,
    clientWantsUsage,
    wantsBase64Embeddings,
    ...(request.path === undefined ? {} : { path: request.path }),
    ...(request.method === undefined ? {} : { method: request.method }),
    ...(raw.rawBody === undefined ? {} : { rawBody: raw.rawBody }),
    ...(raw.contentType === undefined ? {} : { contentType: raw.contentType }),
    ...(request.dialectHeaders === undefined ? {} : { dialectHeaders: request.dialectHeaders }),
  };
}

/** A form field's text for an `override_params` value: strings, numbers and booleans only. */
function formText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * The raw body sent: a multipart upload with the target's `override_params` set in its text
 * fields (values that are not text, numbers or booleans have no form field and are left out), else
 * the client's bytes as they came.
 */
function rawBodyOf(
  request: ProviderRequest,
  overrideParams: Readonly<Record<string, unknown>> | undefined,
): { readonly rawBody?: Uint8Array | undefined; readonly contentType?: string | undefined } {
  const unchanged = { rawBody: request.rawBody, contentType: request.contentType };
  if (request.rawBody === undefined || request.rawForm === undefined || overrideParams === undefined) {
    return unchanged;
  }
  const fields: Record<string, string> = {};
  let any = false;
  for (const [name, value] of Object.entries(overrideParams)) {
    const text = formText(value);
    if (text === undefined) continue;
    // `defineProperty`: a parameter named `__proto__` stays a field.
    Object.defineProperty(fields, name, {
      value: text,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    any = true;
  }
  if (!any) return unchanged;
  const rewritten = request.rawForm.withTextFields(fields);
  return { rawBody: rewritten.body, contentType: rewritten.contentType };
}
