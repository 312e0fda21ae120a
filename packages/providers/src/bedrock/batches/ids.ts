import { PkError } from '@pk/config';

/** An S3 location: bucket and object key (the key without a leading slash). */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

/** S3 bucket names as they may enter a host name (lower case, digits, dots and hyphens). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `s3://bucket/key` → its bucket and key; `undefined` when it is not one. */
export function s3LocationOf(uri: string): S3Location | undefined {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (match === null) return undefined;
  const bucket = match[1] ?? '';
  return BUCKET.test(bucket) ? { bucket, key: match[2] ?? '' } : undefined;
}

/** The bucket of a Bedrock file target (`aws_s3_bucket`), checked before it enters a host name. */
export function checkedBucket(bucket: string): string {
  if (!BUCKET.test(bucket)) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      `invalid aws_s3_bucket for bedrock: '${bucket.slice(0, 80)}'`,
      {
        param: 'aws_s3_bucket',
      },
    );
  }
  return bucket;
}

/** The prefix of pk's Bedrock file ids: `file-bedrock-` and the S3 URI in base64url. */
const FILE_PREFIX = 'file-bedrock-';

/**
 * The file id of an S3 object: its `s3://` URI in base64url, so that the id is one path segment
 * (Portkey's ids are the URI percent-encoded, whose `%2F` pk never sends upstream).
 */
export function fileIdOfS3Uri(uri: string): string {
  return `${FILE_PREFIX}${Buffer.from(uri, 'utf8').toString('base64url')}`;
}

/** The S3 location of a file id pk gave (400 `param` named for anything else). */
export function s3LocationOfFileId(fileId: string, param: string): S3Location & { readonly uri: string } {
  const uri = fileId.startsWith(FILE_PREFIX)
    ? Buffer.from(fileId.slice(FILE_PREFIX.length), 'base64url').toString('utf8')
    : // An `s3://` URI as it is (percent-encoded or not) is taken too: a file put there another way.
      safeDecode(fileId);
  const location = s3LocationOf(uri);
  if (location === undefined || location.key === '') {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      `'${fileId.slice(0, 120)}' is not a Bedrock file id: give the id pk answered to files.create, or an s3://bucket/key URI`,
      { param },
    );
  }
  return { ...location, uri };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** A batch inference job's id: the 12 characters that end its ARN (`…:model-invocation-job/<id>`). */
const JOB_ID = /^[a-z0-9]{12}$/;

/** The batch id of a job ARN: its job id, which Bedrock's job APIs take as the job identifier. */
export function batchIdOfJobArn(jobArn: string): string {
  return jobArn.slice(jobArn.lastIndexOf('/') + 1);
}

/** A batch id checked before it enters a URL (400 for anything but a Bedrock job id). */
export function checkedBatchId(batchId: string): string {
  if (!JOB_ID.test(batchId)) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      `'${batchId.slice(0, 120)}' is not a Bedrock batch id (the 12 lower-case letters and digits that end a model-invocation-job ARN)`,
      { param: 'batch_id' },
    );
  }
  return batchId;
}

/** `https://{bucket}.s3.{region}.amazonaws.com/{key}` (virtual-hosted style), key segments encoded. */
export function s3ObjectUrl(location: S3Location, region: string): string {
  const key = location.key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join('/');
  return `https://${location.bucket}.s3.${region}.amazonaws.com/${key}`;
}

/** The Bedrock control plane's base URL of a region (`https://bedrock.us-east-1.amazonaws.com`). */
export function bedrockControlPlaneUrl(region: string): string {
  return `https://bedrock.${region}.amazonaws.com`;
}
