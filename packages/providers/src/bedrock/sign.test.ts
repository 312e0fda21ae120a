import { describe, expect, it } from 'vitest';
import { readJsonFixture } from '../test-support/fixtures.js';
import { verifySigV4Request } from '../test-support/sigv4-verify.js';
import { signBedrockRequest } from './sign.js';

interface SuiteCase {
  name: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  sessionToken?: string;
  authorization: string;
}
const suite = readJsonFixture('bedrock', 'sigv4-suite.json') as unknown as {
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  service: string;
  date: string;
  cases: SuiteCase[];
};

describe('signBedrockRequest against the AWS SigV4 test suite', () => {
  it.each(suite.cases.map((entry) => [entry.name, entry] as const))('%s', async (_name, entry) => {
    const signed = await signBedrockRequest(
      {
        url: entry.url,
        method: entry.method,
        headers: entry.headers,
        ...(entry.body === '' ? {} : { body: entry.body }),
      },
      {
        credentials: {
          ...suite.credentials,
          ...(entry.sessionToken ? { sessionToken: entry.sessionToken } : {}),
        },
        region: suite.region,
        service: suite.service,
        date: new Date(suite.date),
      },
    );
    expect(signed.headers.authorization).toBe(entry.authorization);
    expect(signed.headers['x-amz-date']).toBe('20150830T123600Z');
    expect(signed.headers['x-amz-security-token']).toBe(entry.sessionToken);
    expect(signed.headers).not.toHaveProperty('host');
  });

  it.each(suite.cases.map((entry) => [entry.name, entry] as const))(
    'the mock verifier (node:crypto, no signing library) accepts %s as published',
    (_name, entry) => {
      const url = new URL(entry.url);
      const view = {
        method: entry.method,
        url: `${url.pathname}${url.search}`,
        headers: {
          ...entry.headers,
          host: url.host,
          'x-amz-date': '20150830T123600Z',
          authorization: entry.authorization,
          ...(entry.sessionToken ? { 'x-amz-security-token': entry.sessionToken } : {}),
        },
        body: entry.body,
      };
      expect(verifySigV4Request(view, suite.credentials)).toBeUndefined();
      expect(verifySigV4Request({ ...view, body: `${entry.body}x` }, suite.credentials)).toBe(
        'signature mismatch',
      );
    },
  );

  it('double-encodes a Bedrock model id in the canonical path, as the verifier expects', async () => {
    const credentials = { accessKeyId: 'AKID', secretAccessKey: 'secret' };
    const signed = await signBedrockRequest(
      {
        url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      },
      { credentials, region: 'us-east-1', service: 'bedrock', date: new Date('2024-01-01T00:00:00Z') },
    );
    const view = {
      method: 'POST',
      url: '/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse',
      headers: { ...signed.headers, host: 'bedrock-runtime.us-east-1.amazonaws.com' },
      body: '{}',
    };
    expect(verifySigV4Request(view, credentials)).toBeUndefined();
    expect(signed.headers.authorization).toContain('SignedHeaders=content-type;host;x-amz-date,');
  });
});

describe('signBedrockRequest for S3 (the objects of batch jobs)', () => {
  it('signs as S3’s own GetObject example: the payload hash in x-amz-content-sha256, the path as sent', async () => {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html (Example: GET Object)
    const signed = await signBedrockRequest(
      {
        url: 'https://examplebucket.s3.amazonaws.com/test.txt',
        method: 'GET',
        headers: { range: 'bytes=0-9' },
      },
      {
        credentials: {
          accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
          secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        },
        region: 'us-east-1',
        service: 's3',
        date: new Date('2013-05-24T00:00:00Z'),
      },
    );
    expect(signed.headers['x-amz-content-sha256']).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(signed.headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });
});
