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
  if (readBedrockAuthType(target) === 'accessKey') return readBedrockCredentials(target);
  return getAssumedRoleCredentials(assumeRoleInput(region, context), context);
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
 * (`accessKey`) has nothing fresher: `undefined`, and the 403 stands.
 */
export async function reauthorizeBedrockRequest(
  upstream: UpstreamRequest,
  rejected: UpstreamRequest,
  context: AuthorizeContext,
): Promise<UpstreamRequest | undefined> {
  if (readBedrockAuthType(context.target) === 'accessKey') return undefined;
  const region = readBedrockRegion(context.target);
  const sessionToken = rejected.headers['x-amz-security-token'];
  if (sessionToken !== undefined)
    dropAssumedRoleCredentials(assumeRoleInput(region, context), sessionToken, context);
  return authorizeBedrockRequest(upstream, context);
}

/** Signs a Bedrock request (SigV4, service `bedrock`) at the call's clock. */
export async function authorizeBedrockRequest(
  upstream: UpstreamRequest,
  context: AuthorizeContext,
): Promise<UpstreamRequest> {
  const region = readBedrockRegion(context.target);
  return signBedrockRequest(upstream, {
    credentials: await bedrockSigningCredentials(region, context),
    region,
    service: 'bedrock',
    date: new Date(context.now()),
  });
}
