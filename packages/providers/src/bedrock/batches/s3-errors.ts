import { upstreamErrorFrom } from '../../shared/error-body.js';
import type { UpstreamErrorInput } from '../../spec/provider-adapter.js';
import type { UpstreamError } from '../../spec/upstream-error.js';
import { toBedrockUpstreamError } from '../errors.js';

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The text of an XML element of S3's error body, entities decoded. */
function elementText(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return match?.[1]?.replace(
    /&(amp|lt|gt|quot|apos);/g,
    (_all, entity: string) => XML_ENTITIES[entity] ?? '',
  );
}

/**
 * An error answer of S3 (`<Error><Code>NoSuchKey</Code><Message>…</Message>…</Error>`) → an
 * {@link UpstreamError} with S3's code as its type and only its code and message kept: the
 * `StringToSign` and `CanonicalRequest` a `SignatureDoesNotMatch` quotes are never passed on. Any
 * other body (Bedrock's JSON) goes to {@link toBedrockUpstreamError}.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 */
export function toS3OrBedrockUpstreamError(input: UpstreamErrorInput): UpstreamError {
  // S3 answers HeadObject's errors with no body: its status says it all.
  if (input.body.trim() === '') {
    const code = input.status === 404 ? 'NotFound' : input.status === 403 ? 'Forbidden' : null;
    const message =
      input.status === 404
        ? 'no such file: S3 has no object at its key'
        : `S3 answered HTTP ${input.status} with no body`;
    return upstreamErrorFrom(input, {
      message: code === null ? message : `${code}: ${message}`,
      type: code,
      raw: { code, message },
    });
  }
  if (!input.body.trimStart().startsWith('<')) return toBedrockUpstreamError(input);
  const code = elementText(input.body, 'Code') ?? null;
  const message = elementText(input.body, 'Message') ?? `S3 answered HTTP ${input.status}`;
  return upstreamErrorFrom(input, {
    message: code === null ? message : `${code}: ${message}`,
    type: code,
    raw: { code, message },
  });
}
