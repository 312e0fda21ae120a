import { PkError } from '@pk/config';
import { droppedFileWarning, filePartOf } from '../shared/file-part.js';

/**
 * Media types → the Converse `DocumentBlock` `format` that reads them.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_DocumentBlock.html
 */
const DOCUMENT_FORMATS: Readonly<Record<string, string>> = {
  'application/pdf': 'pdf',
  'text/csv': 'csv',
  'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'text/html': 'html',
  'text/plain': 'txt',
  'text/markdown': 'md',
};

/** The image formats Converse reads. */
const IMAGE_FORMATS: ReadonlySet<string> = new Set(['png', 'jpeg', 'gif', 'webp']);

/**
 * The Converse image `format` of a media type (`image/jpg` read as `jpeg`), or `undefined` when
 * Converse does not read it.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ImageBlock.html
 */
export function bedrockImageFormat(mediaType: string): string | undefined {
  const match = /^image\/(.+)$/.exec(mediaType.toLowerCase());
  const format = match?.[1] === 'jpg' ? 'jpeg' : match?.[1];
  return format !== undefined && IMAGE_FORMATS.has(format) ? format : undefined;
}

/** Whether Converse reads a file of this media type, as an image or a document. */
export function bedrockReadsFile(mediaType: string): boolean {
  return bedrockImageFormat(mediaType) !== undefined || DOCUMENT_FORMATS[mediaType] !== undefined;
}

/**
 * A document name Converse accepts: only letters and digits, single whitespace, hyphens, parentheses
 * and square brackets, 1 to 200 characters. The extension goes (the format says it), any other
 * character becomes a hyphen, and a name already used in the request gets ` (2)`, ` (3)` …
 */
export function bedrockDocumentName(filename: string | undefined, taken: Set<string>): string {
  const base =
    (filename ?? '')
      .replace(/\.[A-Za-z0-9]{1,5}$/, '')
      .replace(/[^A-Za-z0-9\s\-()[\]]/g, '-')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 190) || 'document';
  let name = base;
  for (let copy = 2; taken.has(name); copy += 1) name = `${base} (${copy})`;
  taken.add(name);
  return name;
}

/**
 * A `file` part → a Converse `document` block (base64 `bytes`, a name from the filename) or, for an
 * image, an `image` block; `undefined` with a warning for what Converse does not read (a `file_id`,
 * a URL, another media type).
 */
export function bedrockFileBlock(
  part: { readonly type: string },
  names: Set<string>,
  warnings: string[],
): Record<string, unknown> | undefined {
  const file = filePartOf(part);
  if (file === undefined) return undefined;
  if (file.kind !== 'data') {
    warnings.push(droppedFileWarning('bedrock', file.kind === 'url' ? 'a file_url' : file.reason));
    return undefined;
  }
  const image = bedrockImageFormat(file.mediaType);
  if (image !== undefined) return { image: { format: image, source: { bytes: file.data } } };
  const format = DOCUMENT_FORMATS[file.mediaType];
  if (format === undefined) {
    warnings.push(droppedFileWarning('bedrock', file.mediaType));
    return undefined;
  }
  const name = bedrockDocumentName(file.filename, names);
  return { document: { format, name, source: { bytes: file.data } } };
}

/**
 * Converse refuses a message with a `document` block and no `text` block: a 400 here says which
 * message and why, before a signed call that would fail the same way.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Message.html
 */
export function requireTextBesideDocuments(
  messages: readonly { readonly content: readonly Record<string, unknown>[] }[],
): void {
  for (const message of messages) {
    const hasDocument = message.content.some((block) => 'document' in block);
    if (hasDocument && !message.content.some((block) => 'text' in block)) {
      throw new PkError(
        'PK_ERR_INVALID_REQUEST',
        'bedrock needs a text part beside a file in the same user turn: add a text part (a question or instruction) to the message with the file',
        { param: 'messages' },
      );
    }
  }
}
