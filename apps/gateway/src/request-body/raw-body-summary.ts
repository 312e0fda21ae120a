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

/**
 * The fields of a `multipart/form-data` body: each text field's value, each file as
 * {@link LoggedFilePart}; a name sent more than once (`image[]`) as a list. Undefined when the body
 * is not well-formed multipart with that boundary.
 */
function multipartFields(body: Buffer, boundary: string): Record<string, unknown> | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  const fields = new Map<string, unknown[]>();
  // A preamble before the first delimiter is allowed (RFC 2046) and skipped.
  const first = body.indexOf(delimiter);
  if (first === -1) return undefined;
  let at = first + delimiter.length;
  const next = Buffer.from(`\r\n--${boundary}`);
  for (;;) {
    // After a delimiter: `--` ends the body, a line break starts a part.
    if (body[at] === 0x2d && body[at + 1] === 0x2d) break;
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
    const content = body.subarray(headersEnd + CRLF_CRLF.length, end);
    if (name !== undefined) {
      const filename = parameterOf(disposition, 'filename');
      const value: unknown =
        filename === undefined
          ? fieldValue(content)
          : ({
              filename: Buffer.from(filename, 'latin1').toString('utf8'),
              content_type: header('content-type') ?? null,
              bytes: content.length,
            } satisfies LoggedFilePart);
      const decodedName = Buffer.from(name, 'latin1').toString('utf8');
      fields.set(decodedName, [...(fields.get(decodedName) ?? []), value]);
    }
    at = end + next.length;
  }
  // `Object.fromEntries` defines own properties: a field named `__proto__` stays a field.
  return Object.fromEntries(
    [...fields].map(([name, values]) => [name, values.length === 1 ? values[0] : values]),
  );
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
  const boundary = contentType === undefined ? undefined : boundaryOf(contentType);
  const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields = boundary === undefined ? undefined : multipartFields(body, boundary);
  return fields ?? { content_type: contentType ?? null, bytes: bytes.byteLength };
}
