import type { HookResults } from '@pk/guardrails';
import type { FastifyRequest } from 'fastify';

/** Bodies are stored up to 64 KiB each (UTF-16 code units of their JSON); longer ones are cut and flagged. */
export const MAX_LOGGED_BODY_CHARS = 64 * 1024;

/**
 * What a request's log record may keep beyond its log line: its bodies (already redacted by
 * guardrails), the error answer it ended with, and its hooks' results. Noted only by requests that
 * have them (body logging on, an error, hooks): a plain request notes nothing.
 */
export interface CapturedBodies {
  request?: unknown;
  response?: unknown;
  /**
   * The error answer the client got: the text sent (pk's or the provider's envelope, in the route's
   * dialect), or for a stream that ended with an error after its 200, the body of the error event it
   * ended with (`{ error }`, or Anthropic's on `/v1/messages`).
   */
  errorAnswer?: unknown;
  /** The hooks' results (guardrails and mutators). */
  hookResults?: HookResults;
}

// Never on `request.logFields`: those go to the stdout log line, which never carries a body.
const captured = new WeakMap<FastifyRequest, CapturedBodies>();

/** Notes a body (or another fact of {@link CapturedBodies}) of `request` for the log store. */
export function captureBody<Which extends keyof CapturedBodies>(
  request: FastifyRequest,
  which: Which,
  body: CapturedBodies[Which],
): void {
  let bodies = captured.get(request);
  if (bodies === undefined) {
    bodies = {};
    captured.set(request, bodies);
  }
  bodies[which] = body;
}

/** The bodies noted for `request`, if any. */
export function capturedBodiesOf(request: FastifyRequest): CapturedBodies | undefined {
  return captured.get(request);
}

/** Content types whose answers a record may keep as text: JSON (`application/json`, `…+json`). */
const JSON_CONTENT_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/**
 * A pass-through answer's bytes as they go to the client, noting for the log store the text of one
 * that is JSON (a transcription, a file or batch object): at most enough bytes for
 * {@link MAX_LOGGED_BODY_CHARS} characters, so the record flags a longer one as cut. Any other answer
 * (audio, a file's content) goes by untouched and is not kept: its bytes are nothing a log can show.
 */
export function withJsonAnswerNoted(
  request: FastifyRequest,
  body: AsyncIterable<Uint8Array>,
  contentType: string | undefined,
): AsyncIterable<Uint8Array> {
  if (contentType === undefined || !JSON_CONTENT_TYPE.test(contentType)) return body;
  return notingText(request, body);
}

async function* notingText(
  request: FastifyRequest,
  body: AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  // A character takes at most 4 bytes of UTF-8: this many bytes hold more than the record keeps.
  const limit = MAX_LOGGED_BODY_CHARS * 4 + 4;
  const kept: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < limit) {
      const part = chunk.byteLength > limit - size ? chunk.subarray(0, limit - size) : chunk;
      kept.push(part);
      size += part.byteLength;
    }
    yield chunk;
  }
  // Before the last read returns: the answer (and so the record) ends after this.
  captureBody(request, 'response', Buffer.concat(kept).toString('utf8'));
}
