import type { OpenAIContentPart, OpenAIMessage } from '../openai-format/chat-completion-request.js';
import { imageUrlOf, messageText, parseDataUrl } from '../shared/chat-request.js';
import { droppedFileWarning, filePartOf } from '../shared/file-part.js';
import { isJsonObject, parseJsonOrUndefined } from '../shared/json.js';
import { signatureFromToolCall } from './thought-signature.js';

/** A Gemini `Content` we send. */
export interface GoogleRequestContent {
  role: 'user' | 'model';
  parts: Record<string, unknown>[];
}

function guessMimeType(url: string): string {
  const extension = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
  const known: Record<string, string> = {
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    webp: 'image/webp',
    gif: 'image/gif',
    pdf: 'application/pdf',
  };
  return (extension && known[extension]) || 'image/jpeg';
}

/**
 * Media types Gemini reads inline: PDFs (with their images and layout), the text formats it reads as
 * plain text, and images, audio and video.
 * @see https://ai.google.dev/gemini-api/docs/document-processing
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/multimodal/document-understanding
 */
const INLINE_TYPES =
  /^(application\/pdf|application\/x-javascript|application\/x-python|text\/.+|image\/.+|audio\/.+|video\/.+)$/;

/** Whether Gemini reads a file of this media type sent inline. */
export function geminiReadsInlineFile(mediaType: string): boolean {
  return INLINE_TYPES.test(mediaType);
}

/** A `file` part → an `inlineData` part, or `undefined` with a warning naming `provider`. */
function fileToPart(
  part: { readonly type: string },
  warnings: string[],
  provider: string,
): Record<string, unknown> | undefined {
  const file = filePartOf(part);
  if (file?.kind === 'data' && geminiReadsInlineFile(file.mediaType))
    return { inlineData: { mimeType: file.mediaType, data: file.data } };
  if (file !== undefined) {
    const what = file.kind === 'data' ? file.mediaType : file.kind === 'url' ? 'a file_url' : file.reason;
    warnings.push(droppedFileWarning(provider, what));
  }
  return undefined;
}

function userParts(
  content: OpenAIMessage['content'],
  warnings: string[],
  provider: string,
): Record<string, unknown>[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  const parts: Record<string, unknown>[] = [];
  for (const part of (content ?? []) as OpenAIContentPart[]) {
    const url = imageUrlOf(part);
    if (part.type === 'text' && typeof part.text === 'string') parts.push({ text: part.text });
    else if (url !== undefined) {
      const data = parseDataUrl(url);
      parts.push(
        data
          ? { inlineData: { mimeType: data.mediaType, data: data.data } }
          : { fileData: { mimeType: guessMimeType(url), fileUri: url } },
      );
    } else if (part.type === 'file') {
      const inline = fileToPart(part, warnings, provider);
      if (inline !== undefined) parts.push(inline);
    } else warnings.push(`content part '${part.type}' is not supported by ${provider} and was dropped`);
  }
  return parts;
}

function functionResponse(text: string): Record<string, unknown> {
  const parsed = parseJsonOrUndefined(text);
  return isJsonObject(parsed) ? parsed : { content: text };
}

function append(
  contents: GoogleRequestContent[],
  role: 'user' | 'model',
  parts: Record<string, unknown>[],
): void {
  if (parts.length === 0) return;
  const last = contents.at(-1);
  if (last?.role === role) last.parts.push(...parts);
  else contents.push({ role, parts });
}

/**
 * OpenAI messages → Gemini `systemInstruction` + `contents`: system and developer messages become
 * `systemInstruction`; assistant turns are role `model` with `functionCall` parts; tool results become
 * `functionResponse` parts of a user turn, named after the call they answer (the JSON object the tool
 * returned, else `{ content }`); images become `inlineData` (data URLs) or `fileData`, files (PDF …)
 * `inlineData`; consecutive turns of one role are merged.
 * @see https://ai.google.dev/api/generate-content#request-body
 * @see https://ai.google.dev/gemini-api/docs/function-calling
 */
export function toGoogleContents(
  input: readonly OpenAIMessage[],
  warnings: string[],
  /** The provider named in warnings (`google` or `vertex-ai`). */
  provider = 'google',
): { systemInstruction: { parts: { text: string }[] } | undefined; contents: GoogleRequestContent[] } {
  const system: string[] = [];
  const contents: GoogleRequestContent[] = [];
  const nameOfCall = new Map<string, string>();
  for (const message of input) {
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(messageText(message.content));
        break;
      case 'user':
        append(contents, 'user', userParts(message.content, warnings, provider));
        break;
      case 'assistant': {
        const text = messageText(message.content);
        const parts: Record<string, unknown>[] = text === '' ? [] : [{ text }];
        for (const call of message.tool_calls ?? []) {
          nameOfCall.set(call.id, call.function.name);
          const args = parseJsonOrUndefined(call.function.arguments === '' ? '{}' : call.function.arguments);
          // Its thought signature back on the part it came with.
          const signature = signatureFromToolCall(call);
          parts.push({
            functionCall: { name: call.function.name, args: isJsonObject(args) ? args : {} },
            ...(signature === undefined ? {} : { thoughtSignature: signature }),
          });
        }
        append(contents, 'model', parts);
        break;
      }
      case 'tool': {
        const name = nameOfCall.get(message.tool_call_id ?? '') ?? message.name ?? message.tool_call_id ?? '';
        append(contents, 'user', [
          { functionResponse: { name, response: functionResponse(messageText(message.content)) } },
        ]);
        break;
      }
      default:
        warnings.push(`a '${message.role}' message is not supported by ${provider} and was dropped`);
    }
  }
  const joined = system.filter((text) => text !== '').join('\n\n');
  return { systemInstruction: joined === '' ? undefined : { parts: [{ text: joined }] }, contents };
}
