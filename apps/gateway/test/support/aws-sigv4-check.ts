import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

// An independent AWS Signature Version 4 check for the provider mock (node:crypto only, nothing of
// the signer pk uses): the canonical request, string to sign and HMAC chain of
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html.

/** A request as the mock received it. */
export interface SignedRequest {
  readonly method: string;
  /** Path and query as received. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly raw: Buffer;
}

/** What a valid `authorization` header says. */
export interface SigV4Facts {
  readonly accessKeyId: string;
  /** `20261206/us-east-1/sts/aws4_request`. */
  readonly scope: string;
  readonly signedHeaders: readonly string[];
}

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();
const encode = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const headerText = (value: string | string[] | undefined): string =>
  [value ?? '']
    .flat()
    .map((v) => v.trim().replace(/\s+/g, ' '))
    .join(',');

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/([^,]+), SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

/** The key id, scope and signed headers of `authorization`, or `undefined` when it is malformed. */
export function sigV4FactsOf(headers: IncomingHttpHeaders): SigV4Facts | undefined {
  const match = AUTHORIZATION.exec(headerText(headers.authorization));
  if (!match) return undefined;
  return { accessKeyId: match[1] ?? '', scope: match[2] ?? '', signedHeaders: (match[3] ?? '').split(';') };
}

/**
 * Recomputes the signature of `request` with `secretAccessKey` and compares: `undefined` when it is
 * right, else why not. The path is URI-encoded again for every service but S3 (`s3`: as received).
 */
export function checkSigV4(
  request: SignedRequest,
  secretAccessKey: string,
  options: { readonly service?: string } = {},
): string | undefined {
  const facts = sigV4FactsOf(request.headers);
  if (facts === undefined) return 'missing or malformed authorization';
  if (!facts.signedHeaders.includes('host') || !facts.signedHeaders.includes('x-amz-date'))
    return 'host and x-amz-date must be signed';
  const amzDate = headerText(request.headers['x-amz-date']);
  if (!facts.scope.startsWith(amzDate.slice(0, 8))) return 'scope date differs from x-amz-date';
  const at = request.path.indexOf('?');
  const path = at < 0 ? request.path : request.path.slice(0, at);
  const query = at < 0 ? '' : request.path.slice(at + 1);
  const canonicalQuery = query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const [name = '', value = ''] = pair.split('=');
      return `${encode(decodeURIComponent(name))}=${encode(decodeURIComponent(value))}`;
    })
    .sort()
    .join('&');
  const canonicalRequest = [
    request.method,
    options.service === 's3'
      ? path
      : path
          .split('/')
          .map((segment) => encode(segment))
          .join('/'),
    canonicalQuery,
    facts.signedHeaders.map((name) => `${name}:${headerText(request.headers[name])}\n`).join(''),
    facts.signedHeaders.join(';'),
    headerText(request.headers['x-amz-content-sha256']) || sha256Hex(request.raw),
  ].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, facts.scope, sha256Hex(canonicalRequest)].join('\n');
  const [date = '', region = '', service = ''] = facts.scope.split('/');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
  const expected = hmac(key, stringToSign).toString('hex');
  const given = (AUTHORIZATION.exec(headerText(request.headers.authorization)) ?? [])[4] ?? '';
  return timingSafeEqual(Buffer.from(expected), Buffer.from(given.padEnd(64, '0').slice(0, 64)))
    ? undefined
    : 'signature mismatch';
}
