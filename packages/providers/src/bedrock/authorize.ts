import { readTargetString } from '../shared/target-options.js';
import type { AuthorizeContext } from '../spec/provider-adapter.js';
import type { UpstreamRequest, UpstreamResponse } from '../spec/upstream-request.js';
import {
  type AssumeRoleInput,
  dropAssumedRoleCredentials,
  getAssumedRoleCredentials,
} from './assume-role.js';
import {
  type BedrockCredentials,
  readAssumeRoleBaseCredentials,
  readBedrockApiKey,
  readBedrockAuthType,
  readBedrockCredentials,
  readBedrockRegion,
  readBedrockRoleArn,
} from './credentials.js';
import { signBedrockRequest } from './sign.js';

/**
 * The credentials a Bedrock call is signed with, by `aws_auth_type`: the target's access key
 * (`accessKey`, the default), or temporary credentials of `aws_role_arn` from STS `AssumeRole`
 * (`assumedRole`). Any other type is refused (400), never ignored.
 */
async function bedrockSigningCredentials(
  region: string,
  context: AuthorizeContext,
): Promise<BedrockCredentials> {
  const { target } = context;
  if (readBedrockAuthType(target) === 'assumedRole')
    return getAssumedRoleCredentials(assumeRoleInput(region, context), context);
  return readBedrockCredentials(target);
}

/** The AssumeRole of an `assumedRole` target. */
function assumeRoleInput(region: string, context: AuthorizeContext): AssumeRoleInput {
  const { target } = context;
  return {
    roleArn: readBedrockRoleArn(target),
    externalId: readTargetString(target, 'aws_external_id'),
    region,
    base: readAssumeRoleBaseCredentials(target, context.settings.awsAssumeRoleCredentials),
  };
}

/**
 * The `x-amzn-errortype` codes of a 403 that say the request's security token is no longer valid
 * (AWS common errors: `ExpiredTokenException` "the security token included in the request is
 * expired", `UnrecognizedClientException` "the security token included in the request is invalid"),
 * as a revoked assumed-role session is answered before its expiry.
 */
const REJECTED_TOKEN_TYPES: ReadonlySet<string> = new Set([
  'ExpiredTokenException',
  'UnrecognizedClientException',
]);

/** Whether Bedrock refused the request's credentials themselves (see {@link REJECTED_TOKEN_TYPES}). */
export function bedrockRejectsAuthorization(answer: Pick<UpstreamResponse, 'status' | 'headers'>): boolean {
  if (answer.status !== 403) return false;
  const type = answer.headers['x-amzn-errortype']?.split(':')[0]?.trim();
  return type !== undefined && REJECTED_TOKEN_TYPES.has(type);
}

/**
 * After Bedrock refused assumed-role credentials ({@link bedrockRejectsAuthorization}): the cached
 * credentials are dropped when they are still the rejected ones, and the request is signed afresh with
 * credentials from STS (concurrent calls share one AssumeRole). A target with its own keys
 * (`accessKey`) or a Bedrock API key (`apiKey`) has nothing fresher: `undefined`, and the 403 stands.
 */
export async function reauthorizeBedrockRequest(
  upstream: UpstreamRequest,
  rejected: UpstreamRequest,
  context: AuthorizeContext,
): Promise<UpstreamRequest | undefined> {
  if (readBedrockAuthType(context.target) !== 'assumedRole') return undefined;
  const region = readBedrockRegion(context.target);
  const sessionToken = rejected.headers['x-amz-security-token'];
  if (sessionToken !== undefined)
    dropAssumedRoleCredentials(assumeRoleInput(region, context), sessionToken, context);
  return authorizeBedrockRequest(upstream, context);
}

/** S3's virtual-hosted names (`{bucket}.s3.{region}.amazonaws.com`): batch files are signed for `s3`. */
const S3_HOST = /\.s3\.[a-z0-9-]+\.amazonaws\.com$/;

/**
 * Authorizes a Bedrock request: with an Amazon Bedrock API key (`aws_auth_type: apiKey`) as
 * `Authorization: Bearer <key>` and no signature (no `x-amz-date`, no session token, as Portkey); else
 * signed with SigV4 (service `bedrock`, or `s3` for the S3 objects of batch jobs) at the call's clock.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys-use.html
 */
export async function authorizeBedrockRequest(
  upstream: UpstreamRequest,
  context: AuthorizeContext,
): Promise<UpstreamRequest> {
  const region = readBedrockRegion(context.target);
  if (readBedrockAuthType(context.target) === 'apiKey') {
    return withBearer(upstream, readBedrockApiKey(context.target));
  }
  return signBedrockRequest(upstream, {
    credentials: await bedrockSigningCredentials(region, context),
    region,
    service: S3_HOST.test(new URL(upstream.url).hostname) ? 's3' : 'bedrock',
    date: new Date(context.now()),
  });
}

/** Headers of a SigV4 signature, and the one a Bedrock API key replaces. */
const SIGNING_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-content-sha256',
]);

/**
 * The request with `authorization: Bearer <key>` and none of the headers of a SigV4 signature,
 * whatever forwarded headers brought: a Bedrock API key is the request's only credential.
 */
function withBearer(upstream: UpstreamRequest, apiKey: string): UpstreamRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(upstream.headers)) {
    if (!SIGNING_HEADERS.has(name.toLowerCase())) headers[name] = value;
  }
  headers.authorization = `Bearer ${apiKey}`;
  return { ...upstream, headers };
}
