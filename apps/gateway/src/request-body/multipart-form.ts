import { randomBytes } from 'node:crypto';
import type { Busboy as BusboyConstructor } from '@fastify/busboy';

/** One part of a `multipart/form-data` body: its field name, file name (files only), type and bytes. */
export interface FormPart {
  readonly name: string;
  /** Set for a file part (`filename=` or RFC 5987 `filename*=`, decoded); undefined for a text field. */
  readonly filename: string | undefined;
  /** The part's `Content-Type`; `text/plain` when it named none (RFC 7578 §4.4). */
  readonly contentType: string;
  readonly bytes: Buffer;
}

/** A body and the content type (with its boundary) that frames it. */
export interface FormBytes {
  readonly body: Uint8Array;
  readonly contentType: string;
}

/** A parsed `multipart/form-data` body, in the order its parts came. */
export interface MultipartForm {
  readonly parts: readonly FormPart[];
  /**
   * The form with these text fields set, serialised with a new boundary: a field of that name gets
   * the value (every other part, files included, byte for byte as it came, in its place), a name
   * the form lacks is appended.
   */
  withTextFields(fields: Readonly<Record<string, string>>): FormBytes;
}

/** The `Content-Disposition` parameter value escaping of the HTML standard (what browsers and undici write). */
function escapedParameter(value: string): string {
  return value.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22');
}

/** A boundary none of the parts' bytes contain, in undici's style. */
function freshBoundary(parts: readonly FormPart[]): string {
  for (;;) {
    const boundary = `----pk-formdata-${randomBytes(12).toString('hex')}`;
    if (parts.every((part) => !part.bytes.includes(boundary))) return boundary;
  }
}

/** The parts serialised as browsers and undici's `FormData` write them. */
function serialised(parts: readonly FormPart[]): FormBytes {
  const boundary = freshBoundary(parts);
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${escapedParameter(part.name)}"`;
    if (part.filename !== undefined) head += `; filename="${escapedParameter(part.filename)}"`;
    // A text field without its own type is written without one, as a browser writes it.
    if (part.filename !== undefined || part.contentType !== 'text/plain') {
      head += `\r\nContent-Type: ${part.contentType}`;
    }
    chunks.push(Buffer.from(`${head}\r\n\r\n`, 'utf8'), part.bytes, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

function formOf(parts: readonly FormPart[]): MultipartForm {
  return {
    parts,
    withTextFields(fields) {
      const missing = new Map(Object.entries(fields));
      const next = parts.map((part) => {
        const value = part.filename === undefined ? fields[part.name] : undefined;
        if (value === undefined || !Object.hasOwn(fields, part.name)) return part;
        missing.delete(part.name);
        return { ...part, bytes: Buffer.from(value, 'utf8') };
      });
      for (const [name, value] of missing) {
        next.push({
          name,
          filename: undefined,
          contentType: 'text/plain',
          bytes: Buffer.from(value, 'utf8'),
        });
      }
      return serialised(next);
    },
  };
}

/** Parts, header lines and header bytes a form may have: far above any upload an API takes. */
const FORM_LIMITS = { parts: 1000, headerPairs: 100, headerSize: 16 * 1024 } as const;

let busboy: typeof BusboyConstructor | undefined;

/** A parsed form, or why the body is not one. */
export type ParsedForm = { readonly form: MultipartForm } | { readonly problem: string };

/** Whether a content type announces a `multipart/form-data` body. */
export function isMultipartForm(contentType: string | undefined): boolean {
  return contentType !== undefined && /^multipart\/form-data\s*(;|$)/i.test(contentType);
}

/**
 * The parts of a `multipart/form-data` body (already read within the body limit), parsed by
 * `@fastify/busboy`, or the problem when it is not a well-formed form (no boundary, cut short, no
 * closing delimiter, more than 1,000 parts). Every part is read as bytes, text fields included, so
 * nothing is decoded and re-encoded. A part without a `Content-Disposition` or without a field name
 * is skipped.
 */
export async function parseMultipartForm(bytes: Uint8Array, contentType: string): Promise<ParsedForm> {
  // Loaded with the first upload: a gateway that never sees one never loads it.
  busboy ??= (await import('@fastify/busboy')).Busboy;
  const Busboy = busboy;
  return new Promise((resolve) => {
    let parser: InstanceType<typeof BusboyConstructor>;
    try {
      parser = new Busboy({
        headers: { 'content-type': contentType },
        isPartAFile: () => true,
        preservePath: true,
        limits: FORM_LIMITS,
      });
    } catch (error) {
      // No boundary in the content type.
      resolve({ problem: (error as Error).message });
      return;
    }
    const parts: {
      name: string | undefined;
      filename: string | undefined;
      contentType: string;
      chunks: Buffer[];
    }[] = [];
    let failed = false;
    const fail = (problem: string): void => {
      failed = true;
      resolve({ problem });
    };
    parser.on('file', (name, stream, filename, _encoding, partType) => {
      const part = { name, filename, contentType: partType, chunks: [] as Buffer[] };
      parts.push(part);
      stream.on('data', (chunk: Buffer) => part.chunks.push(chunk));
      // The parser's own `error` says what went wrong: the part's copy of it is not a crash.
      stream.on('error', () => undefined);
    });
    parser.on('partsLimit', () => fail(`more than ${FORM_LIMITS.parts} parts`));
    parser.on('error', (error: Error) => fail(error.message));
    parser.on('finish', () => {
      if (failed) return;
      resolve({
        form: formOf(
          parts.flatMap((part) =>
            part.name === undefined
              ? []
              : [
                  {
                    name: part.name,
                    filename: part.filename,
                    contentType: part.contentType,
                    bytes: part.chunks.length === 1 ? (part.chunks[0] as Buffer) : Buffer.concat(part.chunks),
                  },
                ],
          ),
        ),
      });
    });
    parser.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });
}
