import { parseDataUrl } from './chat-request.js';
import { isJsonObject } from './json.js';

/**
 * What an OpenAI `file` content part carries that a provider can be sent: its bytes (base64) with
 * their media type, or a URL (`file_url`, Portkey's field), each with the client's `filename`; or why
 * it cannot be sent (`file_id` names a file uploaded to OpenAI, which no other provider can read).
 * @see https://platform.openai.com/docs/api-reference/chat/create#chat-create-messages-user-message-content-array-of-content-parts-file-content-part
 */
export type FilePart =
  | { readonly kind: 'data'; readonly mediaType: string; readonly data: string; readonly filename?: string }
  | { readonly kind: 'url'; readonly url: string; readonly filename?: string }
  | { readonly kind: 'unusable'; readonly reason: string };

/**
 * A `file` part's content: `file_data` as OpenAI sends it (`data:application/pdf;base64,…`), or raw
 * base64 with Portkey's `mime_type` beside it; an `https:` `file_url`. `undefined` for another part.
 */
export function filePartOf(part: { readonly type: string }): FilePart | undefined {
  if (part.type !== 'file') return undefined;
  const file = (part as { file?: unknown }).file;
  if (!isJsonObject(file)) return { kind: 'unusable', reason: 'it has no file object' };
  const filename =
    typeof file.filename === 'string' && file.filename !== '' ? { filename: file.filename } : {};
  if (typeof file.file_data === 'string') {
    const parsed = parseDataUrl(file.file_data);
    if (parsed)
      return { kind: 'data', mediaType: parsed.mediaType.toLowerCase(), data: parsed.data, ...filename };
    if (typeof file.mime_type === 'string')
      return { kind: 'data', mediaType: file.mime_type.toLowerCase(), data: file.file_data, ...filename };
    return { kind: 'unusable', reason: 'its file_data is not a base64 data: URL' };
  }
  if (typeof file.file_url === 'string' && file.file_url.startsWith('https://'))
    return { kind: 'url', url: file.file_url, ...filename };
  if (typeof file.file_id === 'string')
    return { kind: 'unusable', reason: 'a file_id names a file uploaded to OpenAI' };
  return { kind: 'unusable', reason: 'it has neither file_data nor an https file_url' };
}

/** The warning for a file part a provider cannot take (`what`: its media type, or why). */
export function droppedFileWarning(provider: string, what: string): string {
  return `content part 'file' (${what}) is not supported by ${provider} and was dropped`;
}
