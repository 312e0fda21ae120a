/**
 * The JSON text a request body was parsed from, kept by object identity: a body object that is
 * still the one parsed from these bytes can be sent as the bytes, skipping a `JSON.stringify` and a
 * UTF-8 encode (for a 1 MiB body, ~1.7 ms of the ~5 ms the gateway spends on it). Any copy (a
 * model replaced, `override_params` applied, a parameter renamed) is a new object without bytes, so
 * stale bytes can never be sent. Bodies are not changed in place anywhere in pk; code that does must
 * make a copy instead.
 */
const jsonOfBody = new WeakMap<object, Uint8Array>();

/** Records that `bytes` are the UTF-8 JSON text `body` was parsed from, unchanged. */
export function rememberBodyJson(body: object, bytes: Uint8Array): void {
  jsonOfBody.set(body, bytes);
}

/** The JSON text `body` was parsed from, when it is still that very object. */
export function bodyJsonOf(body: object | undefined): Uint8Array | undefined {
  return body === undefined ? undefined : jsonOfBody.get(body);
}

/**
 * The JSON text an answer body was parsed from, kept by object identity like {@link rememberBodyJson}:
 * an answer that needed no translation (OpenAI-family JSON) goes back to the client as the upstream's
 * text, and into the cache as it, instead of being serialised again. A translated or changed answer is
 * a new object without text.
 */
const textOfAnswer = new WeakMap<object, string>();

/** Records that `text` is the JSON text `body` was parsed from, unchanged. */
export function rememberAnswerJson(body: object, text: string): void {
  textOfAnswer.set(body, text);
}

/** The JSON text an answer body was parsed from, when it is still that very object. */
export function answerJsonOf(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null ? textOfAnswer.get(body) : undefined;
}
