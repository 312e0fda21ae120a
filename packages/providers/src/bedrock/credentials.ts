import { PkError } from '@pk/config';
import { readTargetString } from '../shared/target-options.js';
import type { ProviderTarget } from '../spec/provider-adapter.js';

/** AWS regions as they may enter a host name: `us-east-1`, `eu-central-2`, `us-gov-west-1`. */
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/** The region of a Bedrock target, checked against a strict pattern before it enters a host name. */
export function readBedrockRegion(target: ProviderTarget): string {
  const region = readTargetString(target, 'aws_region');
  if (region === undefined || !REGION.test(region)) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      region === undefined ? 'bedrock needs aws_region' : `invalid aws_region for bedrock: '${region}'`,
      { param: 'aws_region' },
    );
  }
  return region;
}

/** AWS credentials of a Bedrock target. */
export interface BedrockCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * The access key, secret and optional session token of a Bedrock target (`aws_access_key_id`,
 * `aws_secret_access_key`, `aws_session_token`, from headers, a config or a virtual key). 400 without them.
 */
export function readBedrockCredentials(target: ProviderTarget): BedrockCredentials {
  const accessKeyId = readTargetString(target, 'aws_access_key_id');
  const secretAccessKey = readTargetString(target, 'aws_secret_access_key');
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    throw new PkError('PK_ERR_INVALID_REQUEST', 'bedrock needs aws_access_key_id and aws_secret_access_key', {
      param: accessKeyId === undefined ? 'aws_access_key_id' : 'aws_secret_access_key',
    });
  }
  const sessionToken = readTargetString(target, 'aws_session_token');
  return { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) };
}
