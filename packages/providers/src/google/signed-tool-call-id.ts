import { signatureFromToolCall, signatureOf } from './thought-signature.js';

/**
 * What separates a tool call's own id from the thought signature it carries (the marker LiteLLM uses
 * too; LiteLLM puts the signature after it as it came, pk base64url-encodes it, so the two gateways'
 * ids are not interchangeable).
 */
export const THOUGHT_SIGNATURE_MARKER = '__thought__';

/** Providers whose requests read a tool call's thought signature back (Gemini on either API). */
const READS_THOUGHT_SIGNATURES: ReadonlySet<string> = new Set(['google', 'vertex-ai']);

/**
 * A tool call id that carries its Gemini thought signature: `<id>__thought__<signature as base64url>`.
 * The Messages and Responses dialects have no field for the signature, but every client echoes the
 * id back (`tool_use.id` and `tool_result.tool_use_id`, `call_id`), so the signature comes back with
 * the next request whichever replica answers it. Base64url keeps the id within Anthropic's
 * `^[a-zA-Z0-9_-]+$` when the call's own id is. Without a signature the id is unchanged.
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
export function idWithThoughtSignature(id: string, signature: string | undefined): string {
  if (signature === undefined || signature === '') return id;
  return `${id}${THOUGHT_SIGNATURE_MARKER}${Buffer.from(signature, 'utf8').toString('base64url')}`;
}

/** A chat tool call's id with the signature it carries on `extra_content` ({@link idWithThoughtSignature}). */
export function signedIdOfToolCall(
  call: Readonly<Record<string, unknown>> & { readonly id: string },
): string {
  return idWithThoughtSignature(call.id, signatureFromToolCall(call));
}

/** An id {@link idWithThoughtSignature} built, split back into the call's own id and its signature. */
export function splitThoughtSignature(id: string): { readonly id: string; readonly signature?: string } {
  const at = id.indexOf(THOUGHT_SIGNATURE_MARKER);
  if (at < 0) return { id };
  const encoded = id.slice(at + THOUGHT_SIGNATURE_MARKER.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return { id };
  const signature = Buffer.from(encoded, 'base64url').toString('utf8');
  return signature === '' ? { id: id.slice(0, at) } : { id: id.slice(0, at), signature };
}

/**
 * A tool call id from a client's history → the chat tool call's `id` and, for Gemini targets, its
 * signature back on `extra_content` (where the Google adapters read it). Every target gets the call's
 * own id: the encoded one is long (OpenAI limits chat tool call ids to 40 characters), and the tool
 * result names the same, shortened, id.
 */
export function toolCallIdFields(
  id: string,
  provider: string,
): { id: string; extra_content?: { google: { thought_signature: string } } } {
  const split = splitThoughtSignature(id);
  return {
    id: split.id,
    ...(READS_THOUGHT_SIGNATURES.has(provider) ? signatureOf(split.signature) : {}),
  };
}
