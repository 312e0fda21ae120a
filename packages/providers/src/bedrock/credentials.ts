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

/** The `aws_auth_type` values pk implements for Bedrock. */
export type BedrockAuthType = 'accessKey' | 'assumedRole' | 'apiKey';

/** Why Portkey's other `aws_auth_type` values are refused rather than ignored. */
const UNSUPPORTED_AUTH_TYPES: Readonly<Record<string, string>> = {
  serviceRole:
    'aws_auth_type serviceRole (the gateway host’s own IAM role) is not supported by pk; use assumedRole with AWS_ASSUME_ROLE_ACCESS_KEY_ID and AWS_ASSUME_ROLE_SECRET_ACCESS_KEY',
};

/**
 * A Bedrock target's `aws_auth_type`: unset or `accessKey` (sign with the target's keys),
 * `assumedRole` (sign with temporary credentials of `aws_role_arn` from STS) or `apiKey` (an Amazon
 * Bedrock API key as `Authorization: Bearer`, no signature). Any other value is a 400
 * `PK_ERR_INVALID_CONFIG` naming it: a request must never run as another principal than asked.
 */
export function readBedrockAuthType(target: ProviderTarget): BedrockAuthType {
  const raw = readTargetString(target, 'aws_auth_type');
  if (raw === undefined || raw === 'accessKey') return 'accessKey';
  if (raw === 'assumedRole' || raw === 'apiKey') return raw;
  const shown = raw.length > 64 ? `${raw.slice(0, 64)}…` : raw;
  throw new PkError(
    'PK_ERR_INVALID_CONFIG',
    `${UNSUPPORTED_AUTH_TYPES[raw] ?? `unsupported aws_auth_type for bedrock: '${shown}'`} (pk supports accessKey, assumedRole and apiKey)`,
    { param: 'aws_auth_type' },
  );
}

/**
 * The Amazon Bedrock API key of an `apiKey` target: its `api_key` (the `Authorization` header's
 * bearer token, a config's `api_key` or a virtual key's key), as Portkey reads it. 400 without one.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys-use.html
 */
export function readBedrockApiKey(target: ProviderTarget): string {
  const apiKey = readTargetString(target, 'api_key');
  if (apiKey === undefined) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      'bedrock aws_auth_type apiKey needs the Amazon Bedrock API key: send it as Authorization: Bearer, or give api_key in the config or the virtual key',
      { param: 'api_key' },
    );
  }
  return apiKey;
}

/** An IAM role ARN (`arn:aws:iam::123456789012:role/path/name`, other partitions too). */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** The target's `aws_role_arn` for `assumedRole`: 400 when missing or not an IAM role ARN. */
export function readBedrockRoleArn(target: ProviderTarget): string {
  const roleArn = readTargetString(target, 'aws_role_arn');
  if (roleArn === undefined) {
    throw new PkError('PK_ERR_INVALID_CONFIG', 'bedrock aws_auth_type assumedRole needs aws_role_arn', {
      param: 'aws_role_arn',
    });
  }
  if (!ROLE_ARN.test(roleArn)) {
    const shown = roleArn.length > 120 ? `${roleArn.slice(0, 120)}…` : roleArn;
    throw new PkError(
      'PK_ERR_INVALID_CONFIG',
      `aws_role_arn is not an IAM role ARN (arn:aws:iam::<account>:role/<name>): '${shown}'`,
      { param: 'aws_role_arn' },
    );
  }
  return roleArn;
}

/**
 * The credentials that sign STS `AssumeRole` for an `assumedRole` target: the target's own access key
 * (and session token) when it gives one, else the gateway's (`settings.awsAssumeRoleCredentials`).
 * 400 without either.
 */
export function readAssumeRoleBaseCredentials(
  target: ProviderTarget,
  gateway: BedrockCredentials | undefined,
): BedrockCredentials {
  const given =
    readTargetString(target, 'aws_access_key_id') !== undefined ||
    readTargetString(target, 'aws_secret_access_key') !== undefined;
  if (given) return readBedrockCredentials(target);
  if (gateway !== undefined) return gateway;
  throw new PkError(
    'PK_ERR_INVALID_REQUEST',
    'bedrock aws_auth_type assumedRole needs credentials to call STS AssumeRole with: aws_access_key_id and aws_secret_access_key on the target, or AWS_ASSUME_ROLE_ACCESS_KEY_ID and AWS_ASSUME_ROLE_SECRET_ACCESS_KEY on the gateway',
    { param: 'aws_access_key_id' },
  );
}
