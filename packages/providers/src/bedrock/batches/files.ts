import { PkError } from '@pk/config';
import { fileIdOfS3Uri, type S3Location, s3LocationOfFileId } from './ids.js';

/** OpenAI's File object of an S3 object pk holds Bedrock batch files in. */
export interface OpenAIFileOfS3 {
  readonly id: string;
  readonly object: 'file';
  readonly bytes: number | null;
  readonly created_at: number | null;
  readonly filename: string;
  readonly purpose: 'batch' | 'batch_output';
  readonly status: 'processed';
  readonly status_details: null;
}

/** Milliseconds of an HTTP or ISO date → whole seconds, or `null`. */
function secondsOf(value: string | undefined): number | null {
  if (value === undefined) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

/**
 * An S3 object → OpenAI's File (pure): its pk id, size and last-modified time, the key's last
 * segment as file name, purpose `batch_output` for a job's output (`.out`, what Bedrock writes) and
 * `batch` for anything else.
 */
export function toOpenAIFile(
  location: S3Location,
  facts: { readonly bytes: number | undefined; readonly modified: string | undefined },
): OpenAIFileOfS3 {
  const filename = location.key.slice(location.key.lastIndexOf('/') + 1);
  return {
    id: fileIdOfS3Uri(`s3://${location.bucket}/${location.key}`),
    object: 'file',
    bytes: facts.bytes ?? null,
    created_at: secondsOf(facts.modified),
    filename,
    purpose: filename.endsWith('.out') ? 'batch_output' : 'batch',
    status: 'processed',
    status_details: null,
  };
}

/** An S3 object's answer to HeadObject (`content-length`, `last-modified`) → OpenAI's File. */
export function fileOfHeadObject(
  location: S3Location,
  headers: Readonly<Record<string, string>>,
): OpenAIFileOfS3 {
  const length = Number(headers['content-length']);
  return toOpenAIFile(location, {
    bytes: Number.isSafeInteger(length) && length >= 0 ? length : undefined,
    modified: headers['last-modified'],
  });
}

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decoded(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_all, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return XML_ENTITIES[entity] ?? '';
  });
}

function elementText(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return match?.[1] === undefined ? undefined : decoded(match[1]);
}

/**
 * ListObjectsV2's XML answer → OpenAI's file list (pure): one File per `<Contents>` (keys ending in
 * `/`, S3's folder markers, left out), `has_more` from `<IsTruncated>`.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 */
export function fileListOfListObjects(xml: string, bucket: string): Record<string, unknown> {
  const data: OpenAIFileOfS3[] = [];
  for (const match of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
    const entry = match[1] ?? '';
    const key = elementText(entry, 'Key');
    if (key === undefined || key === '' || key.endsWith('/')) continue;
    const size = Number(elementText(entry, 'Size'));
    data.push(
      toOpenAIFile(
        { bucket, key },
        {
          bytes: Number.isSafeInteger(size) && size >= 0 ? size : undefined,
          modified: elementText(entry, 'LastModified'),
        },
      ),
    );
  }
  return {
    object: 'list',
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: elementText(xml, 'IsTruncated') === 'true',
  };
}

/** S3's encoding of a query value (RFC 3986: all but unreserved characters, `/` too). */
function queryValue(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The query of ListObjectsV2 for OpenAI's `files.list` (pure): the prefix (the folder of
 * `aws_s3_object_key`, or the whole bucket), `limit` as `max-keys` (S3 answers up to 1000), and
 * OpenAI's `after` (a file id of the same bucket) as `start-after` (S3 lists in key order).
 */
export function listObjectsQuery(options: {
  readonly bucket: string;
  readonly prefix: string;
  readonly query: URLSearchParams;
}): string {
  const { query } = options;
  const limit = Number(query.get('limit') ?? '1000');
  const maxKeys = Number.isInteger(limit) && limit >= 1 ? Math.min(limit, 1000) : 1000;
  const parts = ['list-type=2', `max-keys=${maxKeys}`];
  if (options.prefix !== '') parts.push(`prefix=${queryValue(options.prefix)}`);
  const after = query.get('after');
  if (after !== null && after !== '') {
    const location = s3LocationOfFileId(after, 'after');
    if (location.bucket !== options.bucket) {
      throw new PkError(
        'PK_ERR_INVALID_REQUEST',
        `after names a file in bucket '${location.bucket}', not in '${options.bucket}' (x-portkey-aws-s3-bucket)`,
        { param: 'after' },
      );
    }
    parts.push(`start-after=${queryValue(location.key)}`);
  }
  return parts.sort().join('&');
}

/** The folder of an object key (`in/requests.jsonl` → `in/`; a key ending in `/` is one). */
export function folderOfKey(key: string | undefined): string {
  if (key === undefined) return '';
  return key.slice(0, key.lastIndexOf('/') + 1);
}
