import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** A request as a server sees it: method, raw path and query, lower-case headers, body. */
export interface SignedRequestView {
  readonly method: string;
  /** Path and query as received (`/model/a%3Ab/converse?x=1`). */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

const sha256Hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer =>
  createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding as SigV4 wants it: everything but `A-Za-z0-9-._~` percent-encoded. */
function encode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const at = pair.indexOf('=');
      const name = decodeURIComponent(at < 0 ? pair : pair.slice(0, at));
      const value = at < 0 ? '' : decodeURIComponent(pair.slice(at + 1));
      return [encode(name), encode(value)] as const;
    })
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function headerValue(value: string | string[] | undefined): string {
  return [value ?? '']
    .flat()
    .map((v) => v.trim().replace(/\s+/g, ' '))
    .join(',');
}

/**
 * Recomputes a SigV4 signature from scratch with node:crypto (independently of the signing library):
 * canonical request (method, the path as sent URI-encoded once more, sorted query, the signed headers
 * trimmed, the payload hash), string to sign, HMAC chain from the secret.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
export function computeSigV4Signature(options: {
  readonly request: SignedRequestView;
  readonly secretAccessKey: string;
  readonly amzDate: string;
  readonly scope: string;
  readonly signedHeaders: readonly string[];
}): { signature: string; canonicalRequest: string } {
  const { request } = options;
  const at = request.url.indexOf('?');
  const path = at < 0 ? request.url : request.url.slice(0, at);
  const query = at < 0 ? '' : request.url.slice(at + 1);
  const canonicalPath = path
    .split('/')
    .map((segment) => encode(segment))
    .join('/');
  const payload = headerValue(request.headers['x-amz-content-sha256']) || sha256Hex(request.body);
  const canonicalRequest = [
    request.method,
    canonicalPath,
    canonicalQuery(query),
    options.signedHeaders.map((name) => `${name}:${headerValue(request.headers[name])}\n`).join(''),
    options.signedHeaders.join(';'),
    payload,
  ].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', options.amzDate, options.scope, sha256Hex(canonicalRequest)].join(
    '\n',
  );
  const [date = '', region = '', service = ''] = options.scope.split('/');
  const key = hmac(hmac(hmac(hmac(`AWS4${options.secretAccessKey}`, date), region), service), 'aws4_request');
  return { signature: hmac(key, stringToSign).toString('hex'), canonicalRequest };
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/([^,]+), SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

/**
 * What a mock AWS endpoint does: parses `authorization`, recomputes the signature with the known
 * secret and compares. Returns why it failed, or `undefined` when the signature is right.
 */
export function verifySigV4Request(
  request: SignedRequestView,
  credentials: { readonly accessKeyId: string; readonly secretAccessKey: string },
): string | undefined {
  const match = AUTHORIZATION.exec(headerValue(request.headers.authorization));
  if (!match) return 'missing or malformed authorization header';
  const [, accessKeyId = '', scope = '', signed = '', signature = ''] = match;
  if (accessKeyId !== credentials.accessKeyId) return 'unknown access key';
  const signedHeaders = signed.split(';');
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date'))
    return 'host and x-amz-date must be signed';
  const amzDate = headerValue(request.headers['x-amz-date']);
  if (!scope.startsWith(amzDate.slice(0, 8))) return 'scope date differs from x-amz-date';
  const expected = computeSigV4Signature({
    request,
    secretAccessKey: credentials.secretAccessKey,
    amzDate,
    scope,
    signedHeaders,
  }).signature;
  return timingSafeEqual(Buffer.from(expected), Buffer.from(signature)) ? undefined : 'signature mismatch';
}
