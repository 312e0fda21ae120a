import type { UpstreamRequest } from '../spec/upstream-request.js';
import type { BedrockCredentials } from './credentials.js';

/** What a SigV4 signature is made with. */
export interface BedrockSigningOptions {
  readonly credentials: BedrockCredentials;
  readonly region: string;
  /** The signing name (`bedrock`; the AWS test suite uses `service`). */
  readonly service: string;
  /** The signing time. */
  readonly date: Date;
}

function queryOf(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const previous = query[name];
    query[name] = previous === undefined ? value : [previous, value].flat();
  }
  return query;
}

/**
 * Signs an upstream request with AWS Signature Version 4 (`@smithy/signature-v4`, the AWS SDK's own
 * signer): `host`, `x-amz-date`, `x-amz-security-token` (with a session token) and every other header
 * are signed; the path is URI-encoded again as AWS requires for every service but S3 (service `s3`:
 * the path as sent, and the payload hash in `x-amz-content-sha256`). The returned
 * request carries `authorization` and `x-amz-*`, and no `host` (the transport sends the same value).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
export async function signBedrockRequest(
  upstream: UpstreamRequest,
  options: BedrockSigningOptions,
): Promise<UpstreamRequest> {
  const url = new URL(upstream.url);
  // Loaded on the first Bedrock call: a gateway that never calls Bedrock never loads the AWS signer.
  const [{ SignatureV4 }, { Sha256 }] = await Promise.all([
    import('@smithy/signature-v4'),
    import('@aws-crypto/sha256-js'),
  ]);
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: options.service,
    sha256: Sha256,
    // S3 signs the path as it is sent and wants the payload's hash in `x-amz-content-sha256`.
    applyChecksum: options.service === 's3',
    uriEscapePath: options.service !== 's3',
  });
  const signed = await signer.sign(
    {
      method: upstream.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      path: url.pathname,
      query: queryOf(url),
      headers: { ...upstream.headers, host: url.host },
      ...(upstream.body === undefined ? {} : { body: upstream.body }),
    },
    { signingDate: options.date },
  );
  const { host: _host, ...headers } = signed.headers;
  return { ...upstream, headers };
}
