import OpenAI from 'openai';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkSigV4, sigV4FactsOf } from '../support/aws-sigv4-check.js';
import { type FeatureGateway, rejectionOf, startFeatureGateway } from '../support/feature-gateway.js';
import {
  MOCK_ANSWER,
  type ProviderMock,
  type ReceivedRequest,
  startProviderMock,
} from '../support/recording-provider-mock.js';

// Feature suite: Bedrock with `aws_auth_type: assumedRole`. The gateway calls STS AssumeRole at
// https://sts.us-east-1.amazonaws.com/ (the mock's STS checks the SigV4 signature with the base key
// and the role's trust policy) and signs the Bedrock call with the temporary credentials (the mock's
// Bedrock checks that signature and the session token), both reached by their real host names
// through the mock's CONNECT proxy.
const GATEWAY_KEY = 'pk-features-assumed-role';
const ROLE = 'arn:aws:iam::999999999999:role/bedrock-invoke';
const EXTERNAL_ID = 'pk-external-7f3a';
const BASE = {
  accessKeyId: 'AKIAEXAMPLEBASE00001',
  secretAccessKey: 'base/Secret+Access/Key0123456789abcdefGH',
};
const GATEWAY_AWS = {
  accessKeyId: 'AKIAEXAMPLEGATEWAY01',
  secretAccessKey: 'gateway/Secret+Key/0123456789abcdefGHIJ',
};
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];
let mock: ProviderMock;
let gateway: FeatureGateway;

beforeAll(async () => {
  mock = await startProviderMock();
  mock.awsKeys.set(BASE.accessKeyId, { secretAccessKey: BASE.secretAccessKey });
  mock.awsKeys.set(GATEWAY_AWS.accessKeyId, { secretAccessKey: GATEWAY_AWS.secretAccessKey });
  gateway = await startFeatureGateway({
    mock,
    settings: { gateway_keys: [{ id: 'team-a', key: GATEWAY_KEY }] },
    env: {
      AWS_ASSUME_ROLE_ACCESS_KEY_ID: GATEWAY_AWS.accessKeyId,
      AWS_ASSUME_ROLE_SECRET_ACCESS_KEY: GATEWAY_AWS.secretAccessKey,
    },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
  const output = gateway.process.output();
  expect(output).not.toContain(BASE.secretAccessKey);
  expect(output).not.toContain(GATEWAY_AWS.secretAccessKey);
  for (const call of mock.assumeRoleCalls) {
    if (call.issued) expect(output).not.toContain(call.issued.secretAccessKey);
  }
});
beforeEach(() => {
  mock.assumableRoles.clear();
  mock.stsDelayMs = 0;
});

const bedrockCalls = (): ReceivedRequest[] =>
  mock.received.filter((request) => request.host === 'bedrock-runtime.us-east-1.amazonaws.com');

/** The openai SDK with Bedrock assumedRole headers (`extra` overrides or adds headers). */
function openaiClient(extra: Record<string, string> = {}): OpenAI {
  return new OpenAI({
    baseURL: gateway.base,
    apiKey: 'unused',
    maxRetries: 0,
    defaultHeaders: {
      'x-portkey-api-key': GATEWAY_KEY,
      'x-portkey-provider': 'bedrock',
      'x-portkey-aws-region': 'us-east-1',
      'x-portkey-aws-auth-type': 'assumedRole',
      'x-portkey-aws-role-arn': ROLE,
      'x-portkey-aws-external-id': EXTERNAL_ID,
      'x-portkey-aws-access-key-id': BASE.accessKeyId,
      'x-portkey-aws-secret-access-key': BASE.secretAccessKey,
      ...extra,
    },
  });
}

/** Asserts a Bedrock call was signed with the temporary credentials STS issued. */
function expectSignedWithIssued(
  request: ReceivedRequest | undefined,
  issued: { accessKeyId: string; secretAccessKey: string; sessionToken: string },
): void {
  expect(request).toBeDefined();
  if (request === undefined) return;
  expect(sigV4FactsOf(request.headers)?.accessKeyId).toBe(issued.accessKeyId);
  expect(sigV4FactsOf(request.headers)?.scope).toMatch(/^\d{8}\/us-east-1\/bedrock\/aws4_request$/);
  expect(sigV4FactsOf(request.headers)?.signedHeaders).toContain('x-amz-security-token');
  expect(request.headers['x-amz-security-token']).toBe(issued.sessionToken);
  expect(checkSigV4(request, issued.secretAccessKey)).toBeUndefined();
}

describe('Bedrock aws_auth_type assumedRole', () => {
  it('assumes the role once through STS for concurrent requests and signs every Bedrock call with its credentials', async () => {
    mock.assumableRoles.set(ROLE, { externalId: EXTERNAL_ID });
    mock.stsDelayMs = 150;
    const stsBefore = mock.assumeRoleCalls.length;
    const bedrockBefore = bedrockCalls().length;
    const client = openaiClient();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => client.chat.completions.create({ model: MODEL, messages })),
    );
    // And later ones reuse the cached credentials.
    answers.push(await client.chat.completions.create({ model: MODEL, messages }));
    for (const answer of answers) expect(answer.choices[0]?.message.content).toBe(MOCK_ANSWER);

    const sts = mock.assumeRoleCalls.slice(stsBefore);
    expect(sts).toHaveLength(1);
    expect(sts[0]).toMatchObject({ roleArn: ROLE, externalId: EXTERNAL_ID, accessKeyId: BASE.accessKeyId });
    const stsRequest = mock.received.find((request) => request.host === 'sts.us-east-1.amazonaws.com');
    expect(stsRequest?.body).toMatchObject({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: ROLE });
    expect(String(stsRequest?.body?.RoleSessionName)).toMatch(/^pk-\d+$/);
    const issued = sts[0]?.issued;
    if (issued?.sessionToken === undefined) throw new Error('STS issued nothing');
    const calls = bedrockCalls().slice(bedrockBefore);
    expect(calls).toHaveLength(7);
    for (const call of calls) expectSignedWithIssued(call, { ...issued, sessionToken: issued.sessionToken });
    expect(calls[0]?.path).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse');
  });

  it('takes aws_auth_type, aws_role_arn and aws_external_id from a config through the portkey-ai SDK', async () => {
    const role = 'arn:aws:iam::999999999999:role/from-config';
    mock.assumableRoles.set(role, { externalId: 'config-external' });
    const stsBefore = mock.assumeRoleCalls.length;
    const client = new Portkey({
      baseURL: gateway.base,
      apiKey: GATEWAY_KEY,
      maxRetries: 0,
      config: {
        provider: 'bedrock',
        aws_region: 'us-east-1',
        aws_auth_type: 'assumedRole',
        aws_role_arn: role,
        aws_external_id: 'config-external',
        aws_access_key_id: BASE.accessKeyId,
        aws_secret_access_key: BASE.secretAccessKey,
      },
    });
    const answer = await client.chat.completions.create({ model: MODEL, messages });
    expect(answer.choices?.[0]?.message?.content).toBe(MOCK_ANSWER);
    const sts = mock.assumeRoleCalls.slice(stsBefore);
    expect(sts).toMatchObject([
      { roleArn: role, externalId: 'config-external', accessKeyId: BASE.accessKeyId },
    ]);
    const issued = sts[0]?.issued;
    if (issued?.sessionToken === undefined) throw new Error('STS issued nothing');
    expectSignedWithIssued(bedrockCalls().at(-1), { ...issued, sessionToken: issued.sessionToken });
  });

  it('signs STS with the gateway’s AWS_ASSUME_ROLE_* key when the target has none', async () => {
    const role = 'arn:aws:iam::999999999999:role/gateway-trusted';
    mock.assumableRoles.set(role, {});
    const stsBefore = mock.assumeRoleCalls.length;
    const client = openaiClient({
      'x-portkey-aws-role-arn': role,
      'x-portkey-aws-external-id': '',
      'x-portkey-aws-access-key-id': '',
      'x-portkey-aws-secret-access-key': '',
    });
    const answer = await client.chat.completions.create({ model: MODEL, messages });
    expect(answer.choices[0]?.message.content).toBe(MOCK_ANSWER);
    const sts = mock.assumeRoleCalls.slice(stsBefore);
    expect(sts).toMatchObject([{ roleArn: role, accessKeyId: GATEWAY_AWS.accessKeyId }]);
    expect(sts[0]?.externalId).toBeUndefined();
    const issued = sts[0]?.issued;
    if (issued?.sessionToken === undefined) throw new Error('STS issued nothing');
    expectSignedWithIssued(bedrockCalls().at(-1), { ...issued, sessionToken: issued.sessionToken });
  });

  it('renews a session Bedrock refuses before its expiry (revoked) through STS once, and answers', async () => {
    const role = 'arn:aws:iam::999999999999:role/revoked-session';
    mock.assumableRoles.set(role, {});
    const stsBefore = mock.assumeRoleCalls.length;
    const bedrockBefore = bedrockCalls().length;
    const client = openaiClient({ 'x-portkey-aws-role-arn': role, 'x-portkey-aws-external-id': '' });
    await client.chat.completions.create({ model: MODEL, messages });
    const first = mock.assumeRoleCalls.at(-1)?.issued;
    if (first?.sessionToken === undefined) throw new Error('STS issued nothing');
    // Revoked: Bedrock no longer recognises the session token (403 UnrecognizedClientException).
    mock.awsKeys.set(first.accessKeyId, { secretAccessKey: first.secretAccessKey, sessionToken: 'revoked' });
    const answer = await client.chat.completions.create({ model: MODEL, messages });
    expect(answer.choices[0]?.message.content).toBe(MOCK_ANSWER);
    const sts = mock.assumeRoleCalls.slice(stsBefore);
    expect(sts).toHaveLength(2);
    const second = sts[1]?.issued;
    if (second?.sessionToken === undefined) throw new Error('STS issued nothing the second time');
    const calls = bedrockCalls().slice(bedrockBefore);
    expect(calls.map((call) => call.headers['x-amz-security-token'])).toEqual([
      first.sessionToken,
      first.sessionToken,
      second.sessionToken,
    ]);
    expectSignedWithIssued(calls[2], { ...second, sessionToken: second.sessionToken });
  });

  it('answers STS AccessDenied with a 403 naming the role, never a secret, and never calls Bedrock', async () => {
    const role = 'arn:aws:iam::999999999999:role/not-trusting-pk';
    const bedrockBefore = bedrockCalls().length;
    const error = await rejectionOf(
      openaiClient({ 'x-portkey-aws-role-arn': role }).chat.completions.create({ model: MODEL, messages }),
    );
    expect(error.status).toBe(403);
    expect(error.code).toBe('AccessDenied');
    expect(error.message).toContain(
      `STS AssumeRole of ${role} failed: AccessDenied: User: arn:aws:iam::111122223333`,
    );
    expect(error.message).not.toContain(BASE.secretAccessKey);
    expect(mock.assumeRoleCalls.at(-1)).toMatchObject({ roleArn: role, error: 'AccessDenied' });
    expect(bedrockCalls().length).toBe(bedrockBefore);
  });

  it('answers a wrong base secret with STS’s 403 SignatureDoesNotMatch, even after the right one cached the role', async () => {
    mock.assumableRoles.set(ROLE, { externalId: EXTERNAL_ID });
    await openaiClient().chat.completions.create({ model: MODEL, messages });
    const error = await rejectionOf(
      openaiClient({ 'x-portkey-aws-secret-access-key': 'not-the-secret' }).chat.completions.create({
        model: MODEL,
        messages,
      }),
    );
    expect(error.status).toBe(403);
    expect(error.code).toBe('SignatureDoesNotMatch');
    expect(error.message).toContain(ROLE);
  });

  it('refuses a malformed role ARN and the auth types pk does not implement with a 400 naming them', async () => {
    const stsBefore = mock.assumeRoleCalls.length;
    const bedrockBefore = bedrockCalls().length;
    const malformed = await rejectionOf(
      openaiClient({ 'x-portkey-aws-role-arn': 'bedrock-invoke' }).chat.completions.create({
        model: MODEL,
        messages,
      }),
    );
    expect(malformed.status).toBe(400);
    expect(malformed.code).toBe('PK_ERR_INVALID_CONFIG');
    expect(malformed.message).toContain(
      "aws_role_arn is not an IAM role ARN (arn:aws:iam::<account>:role/<name>): 'bedrock-invoke'",
    );
    for (const type of ['serviceRole', 'AssumedRole', 'api_key']) {
      const refused = await rejectionOf(
        openaiClient({ 'x-portkey-aws-auth-type': type }).chat.completions.create({ model: MODEL, messages }),
      );
      expect(refused.status).toBe(400);
      expect(refused.code).toBe('PK_ERR_INVALID_CONFIG');
      expect(refused.message).toContain(type);
    }
    expect(mock.assumeRoleCalls.length).toBe(stsBefore);
    expect(bedrockCalls().length).toBe(bedrockBefore);
  });
});
