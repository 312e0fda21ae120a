/** A file part of a multipart body, as a request log record describes it: never its bytes. */
export interface LoggedFilePart {
  readonly filename: string;
  readonly content_type: string | null;
  readonly bytes: number;
}

const CRLF_CRLF = Buffer.from('\r\n\r\n');
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The `boundary` parameter of a `multipart/form-data` content type (quoted or not), if any. */
function boundaryOf(contentType: string): string | undefined {
  if (!/^multipart\/form-data\s*(;|$)/i.test(contentType)) return undefined;
  const match = /;\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/** A header parameter (`name="model"`, `filename="clip.wav"`) of a part's content disposition. */
function parameterOf(disposition: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^\\s;"]+))`, 'i').exec(
    disposition,
  );
  if (match === null) return undefined;
  return match[1] === undefined ? match[2] : match[1].replace(/\\(.)/g, '$1');
}

/** A text field's value, or the size of one whose bytes are not UTF-8 text. */
function fieldValue(bytes: Buffer): string | { readonly bytes: number } {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return { bytes: bytes.length };
  }
}

/** One part of a multipart body: its field name, file name and type, and where its bytes are. */
interface FormPart {
  readonly name: string;
  readonly filename: string | undefined;
  readonly contentType: string | undefined;
  readonly start: number;
  readonly end: number;
}

/** The parts of a `multipart/form-data` body; undefined when it is not well-formed with that boundary. */
function formParts(body: Buffer, boundary: string): FormPart[] | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  // A preamble before the first delimiter is allowed (RFC 2046) and skipped.
  const first = body.indexOf(delimiter);
  if (first === -1) return undefined;
  let at = first + delimiter.length;
  const next = Buffer.from(`\r\n--${boundary}`);
  const parts: FormPart[] = [];
  for (;;) {
    // After a delimiter: `--` ends the body, a line break starts a part.
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return parts;
    const headersEnd = body.indexOf(CRLF_CRLF, at);
    const end = body.indexOf(next, at);
    if (headersEnd === -1 || end === -1 || headersEnd > end) return undefined;
    const headers = body.subarray(at, headersEnd).toString('latin1').split('\r\n');
    const header = (name: string) =>
      headers
        .find((line) => line.toLowerCase().startsWith(`${name}:`))
        ?.slice(name.length + 1)
        .trim();
    const disposition = header('content-disposition') ?? '';
    const name = parameterOf(disposition, 'name');
    const filename = parameterOf(disposition, 'filename');
    if (name !== undefined) {
      parts.push({
        // Header parameters arrive as bytes; names and file names are UTF-8, as browsers and undici send them.
        name: Buffer.from(name, 'latin1').toString('utf8'),
        filename: filename === undefined ? undefined : Buffer.from(filename, 'latin1').toString('utf8'),
        contentType: header('content-type'),
        start: headersEnd + CRLF_CRLF.length,
        end,
      });
    }
    at = end + next.length;
  }
}

/** The parts of `bytes` when `contentType` is `multipart/form-data` with a boundary and they are well-formed. */
function formOf(
  bytes: Uint8Array,
  contentType: string | undefined,
): { readonly body: Buffer; readonly parts: FormPart[] } | undefined {
  const boundary = contentType === undefined ? undefined : boundaryOf(contentType);
  if (boundary === undefined) return undefined;
  const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts = formParts(body, boundary);
  return parts === undefined ? undefined : { body, parts };
}

/**
 * What a request log record keeps of a pass-through body that is not JSON (pure): a
 * `multipart/form-data` upload as its fields, text fields with their value and files as their name,
 * type and size (`{"model": "whisper-1", "file": {"filename": "clip.wav", "content_type":
 * "audio/wav", "bytes": 1652}}`); any other body (raw `audio/*`, malformed multipart) as its content
 * type and size. Never the bytes themselves, which a log cannot show.
 */
export function rawBodySummaryOf(
  bytes: Uint8Array,
  contentType: string | undefined,
): Readonly<Record<string, unknown>> {
  const form = formOf(bytes, contentType);
  if (form === undefined) return { content_type: contentType ?? null, bytes: bytes.byteLength };
  const fields = new Map<string, unknown[]>();
  for (const part of form.parts) {
    const content = form.body.subarray(part.start, part.end);
    const value: unknown =
      part.filename === undefined
        ? fieldValue(content)
        : ({
            filename: part.filename,
            content_type: part.contentType ?? null,
            bytes: content.length,
          } satisfies LoggedFilePart);
    fields.set(part.name, [...(fields.get(part.name) ?? []), value]);
  }
  // `Object.fromEntries` defines own properties: a field named `__proto__` stays a field.
  return Object.fromEntries(
    [...fields].map(([name, values]) => [name, values.length === 1 ? values[0] : values]),
  );
}

/**
 * A `multipart/form-data` body with the text of its field `name` replaced by `value` (pure): every
 * other byte, the boundary and the other parts' headers as they came. Undefined when the body has no
 * such text field (or is not well-formed multipart).
 */
export function withFormFieldReplaced(
  bytes: Uint8Array,
  contentType: string | undefined,
  name: string,
  value: string,
): Uint8Array | undefined {
  const form = formOf(bytes, contentType);
  const part = form?.parts.find((candidate) => candidate.name === name && candidate.filename === undefined);
  if (form === undefined || part === undefined) return undefined;
  return Buffer.concat([
    form.body.subarray(0, part.start),
    Buffer.from(value, 'utf8'),
    form.body.subarray(part.end),
  ]);
}
