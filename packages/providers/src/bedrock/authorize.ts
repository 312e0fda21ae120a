import { readTargetString } from '../shared/target-options.js';
import type { AuthorizeContext } from '../spec/provider-adapter.js';
import type { UpstreamRequest } from '../spec/upstream-request.js';
import { getAssumedRoleCredentials } from './assume-role.js';
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
  const roleArn = readBedrockRoleArn(target);
  const base = readAssumeRoleBaseCredentials(target, context.settings.awsAssumeRoleCredentials);
  return getAssumedRoleCredentials(
    { roleArn, externalId: readTargetString(target, 'aws_external_id'), region, base },
    context,
  );
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
