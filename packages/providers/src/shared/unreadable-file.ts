import type { FilePart } from './file-part.js';
import { fileMediaTypesReadBy, type TargetModel } from './target-capabilities.js';

/** What a refusal of an unreadable file says: the file, and why the target cannot read it. */
export interface UnreadableFile {
  /** The file as the refusal names it (`a file of type text/csv`). */
  readonly what: string;
  /** Why it cannot be sent (`bedrock does not read application/zip files`). */
  readonly why: string;
}

/**
 * Why the adapter translating a file sent as bytes for `target` (Claude, Gemini, Bedrock Converse)
 * could not turn it into the provider's document, or `undefined` when it can, or when the file goes
 * on as sent (OpenAI, Azure OpenAI) or by URL. The chat route and the dialect translations refuse such
 * a file with a 400 rather than let the adapter drop it and the model answer without it.
 */
export function unreadableFileOf(file: FilePart, target: TargetModel): UnreadableFile | undefined {
  if (file.kind === 'url') return undefined;
  const reads = fileMediaTypesReadBy(target);
  if (reads === undefined) return undefined;
  if (file.kind === 'unusable') return { what: 'a file content part', why: file.reason };
  if (reads(file.mediaType)) return undefined;
  return {
    what: `a file of type ${file.mediaType}`,
    why: `${target.provider} does not read ${file.mediaType} files`,
  };
}
