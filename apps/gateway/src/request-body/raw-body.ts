import type { MultipartForm } from './multipart-form.js';

/** A file part of a multipart body, as a request log record describes it: never its bytes. */
export interface LoggedFilePart {
  readonly filename: string;
  readonly content_type: string;
  readonly bytes: number;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A text field's value, or the size of one whose bytes are not UTF-8 text. */
function fieldValue(bytes: Buffer): string | { readonly bytes: number } {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return { bytes: bytes.length };
  }
}

/**
 * What a request log record keeps of a pass-through body that is not JSON (pure): a
 * `multipart/form-data` upload (`form`, parsed by `multipart-form.ts`) as its fields, text fields
 * with their value and files as their name, type and size (`{"model": "whisper-1", "file":
 * {"filename": "clip.wav", "content_type": "audio/wav", "bytes": 1652}}`); any other body (raw
 * `audio/*`, malformed multipart) as its content type and size. Never the bytes themselves, which a
 * log cannot show.
 */
export function rawBodySummaryOf(
  bytes: Uint8Array,
  contentType: string | undefined,
  form: MultipartForm | undefined,
): Readonly<Record<string, unknown>> {
  if (form === undefined) return { content_type: contentType ?? null, bytes: bytes.byteLength };
  const fields = new Map<string, unknown[]>();
  for (const part of form.parts) {
    const value: unknown =
      part.filename === undefined
        ? fieldValue(part.bytes)
        : ({
            filename: part.filename,
            content_type: part.contentType,
            bytes: part.bytes.length,
          } satisfies LoggedFilePart);
    fields.set(part.name, [...(fields.get(part.name) ?? []), value]);
  }
  // `Object.fromEntries` defines own properties: a field named `__proto__` stays a field.
  return Object.fromEntries(
    [...fields].map(([name, values]) => [name, values.length === 1 ? values[0] : values]),
  );
}
