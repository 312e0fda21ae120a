import { Readable } from 'node:stream';
import { PkError } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { upstreamUnavailableError } from '../execute/abort-reason.js';
import { callProvider } from '../execute/call-provider.js';
import type { Transport } from '../execute/transport.js';
import type { AuthorizeContext, ProviderAuthSettings, ProviderTarget } from '../spec/provider-adapter.js';
import { createMemoryTokenCache, type TokenCache } from '../spec/token-cache.js';
import { UpstreamError } from '../spec/upstream-error.js';
import type { UpstreamRequest, UpstreamResponse } from '../spec/upstream-request.js';
import { testContext } from '../test-support/context.js';
import { readFixtureText } from '../test-support/fixtures.js';
import { type SignedRequestView, verifySigV4Request } from '../test-support/sigv4-verify.js';
import {
  dropAssumedRoleCredentials,
  getAssumedRoleCredentials,
  parseAssumeRoleResponse,
  parseStsError,
} from './assume-role.js';
import { bedrockAdapter } from './index.js';

const NOW = Date.parse('2026-12-06T19:00:00Z');
const ROLE = 'arn:aws:iam::999999999999:role/bedrock-invoke';
const BASE = { accessKeyId: 'AKIDBASEEXAMPLE', secretAccessKey: 'base-secret-key-example' };
const GATEWAY = { accessKeyId: 'AKIDGATEWAYEXAMPLE', secretAccessKey: 'gateway-secret-example' };
const BEDROCK_URL = 'https://bedrock-runtime.eu-west-1.amazonaws.com/model/m/converse';

/** STS's answer: the documented example with a fresh temporary key per call and a chosen expiry. */
function stsAnswer(issued: number, expiration: string): string {
  return readFixtureText('bedrock', 'sts-assume-role.xml')
    .replace('ASIAJEXAMPLEXEG2JICEA', `ASIATEMP${issued}`)
    .replace('2019-11-09T13:34:41Z', expiration);
}

function view(request: UpstreamRequest): SignedRequestView {
  const url = new URL(request.url);
  return {
    method: request.method,
    url: `${url.pathname}${url.search}`,
    headers: { ...request.headers, host: url.host },
    body: typeof request.body === 'string' ? request.body : '',
  };
}

const respond = (status: number, text: string): UpstreamResponse => ({
  status,
  headers: { 'content-type': 'text/xml' },
  body: Readable.from([Buffer.from(text)]),
});

/** A fake network: STS (checks the signature with the expected base key) and nothing else. */
function fakeSts(options: {
  readonly base?: { accessKeyId: string; secretAccessKey: string };
  readonly answer?: (issued: number) => { status: number; text: string };
  readonly unreachable?: boolean;
  readonly delayMs?: number;
}) {
  const sts: UpstreamRequest[] = [];
  const transport: Transport = {
    async send(request) {
      if (!request.url.startsWith('https://sts.')) throw new Error(`unexpected call to ${request.url}`);
      sts.push(request);
      if (options.unreachable) {
        throw upstreamUnavailableError(
          'bedrock',
          Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
        );
      }
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      const problem = verifySigV4Request(view(request), options.base ?? BASE);
      if (problem !== undefined)
        return respond(
          403,
          `<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>${problem}</Message></Error></ErrorResponse>`,
        );
      const answer = options.answer?.(sts.length) ?? {
        status: 200,
        text: stsAnswer(sts.length, new Date(NOW + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z')),
      };
      return respond(answer.status, answer.text);
    },
    close: async () => {},
  };
  return { transport, sts };
}

function authorizeContext(
  target: ProviderTarget,
  transport: Transport,
  extra: { tokenCache?: TokenCache; now?: () => number; settings?: ProviderAuthSettings } = {},
): AuthorizeContext {
  return {
    ...testContext('bedrock', target),
    now: extra.now ?? (() => NOW),
    transport,
    tokenCache: extra.tokenCache ?? createMemoryTokenCache(),
    settings: extra.settings ?? {},
  };
}

const roleTarget = (more: ProviderTarget = {}): ProviderTarget => ({
  provider: 'bedrock',
  aws_region: 'eu-west-1',
  aws_auth_type: 'assumedRole',
  aws_role_arn: ROLE,
  aws_access_key_id: BASE.accessKeyId,
  aws_secret_access_key: BASE.secretAccessKey,
  ...more,
});

const converse: UpstreamRequest = {
  url: BEDROCK_URL,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: '{"messages":[]}',
};

async function authorize(context: AuthorizeContext): Promise<UpstreamRequest> {
  if (bedrockAdapter.authorize === undefined) throw new Error('bedrock has no authorize step');
  return bedrockAdapter.authorize(converse, context);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('parseAssumeRoleResponse', () => {
  it('reads the credentials of AWS’s documented AssumeRole answer', () => {
    const parsed = parseAssumeRoleResponse(readFixtureText('bedrock', 'sts-assume-role.xml'), NOW);
    expect(parsed?.credentials.accessKeyId).toBe('ASIAJEXAMPLEXEG2JICEA');
    expect(parsed?.credentials.secretAccessKey).toBe('wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY');
    expect(parsed?.credentials.sessionToken).toMatch(/^AQoDYXdzEPT\/\/\/\/\/\/\/\/\/\/wEXAMPLE\S+BA==$/);
    expect(parsed?.expiresAt).toBe(Date.parse('2019-11-09T13:34:41Z'));
  });

  it('gives nothing for an answer without credentials', () => {
    expect(parseAssumeRoleResponse(readFixtureText('bedrock', 'sts-error-access-denied.xml'), NOW)).toBe(
      undefined,
    );
    expect(parseAssumeRoleResponse('<AssumeRoleResponse><AssumeRoleResult/></AssumeRoleResponse>', NOW)).toBe(
      undefined,
    );
  });

  it('reads an STS error’s code and message, entities decoded', () => {
    expect(parseStsError(readFixtureText('bedrock', 'sts-error-validation.xml'))).toEqual({
      code: 'ValidationError',
      message:
        "1 validation error detected: Value 'pk' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
    });
  });
});

describe('bedrock aws_auth_type assumedRole', () => {
  it('calls the regional STS AssumeRole signed with the base key and signs Bedrock with the role’s key', async () => {
    const { transport, sts } = fakeSts({});
    const signed = await authorize(authorizeContext(roleTarget({ aws_external_id: 'ext-42' }), transport));
    expect(sts).toHaveLength(1);
    const call = sts[0] as UpstreamRequest;
    expect(call.url).toBe('https://sts.eu-west-1.amazonaws.com/');
    expect(call.method).toBe('POST');
    expect(call.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=utf-8');
    const form = new URLSearchParams(String(call.body));
    expect(Object.fromEntries(form)).toEqual({
      Action: 'AssumeRole',
      Version: '2011-06-15',
      RoleArn: ROLE,
      RoleSessionName: `pk-${NOW / 1000}`,
      ExternalId: 'ext-42',
    });
    expect(call.headers.authorization).toContain(
      `Credential=${BASE.accessKeyId}/20261206/eu-west-1/sts/aws4_request`,
    );
    // Bedrock: signed with the temporary key, its session token sent and signed.
    expect(signed.headers.authorization).toContain(
      'Credential=ASIATEMP1/20261206/eu-west-1/bedrock/aws4_request',
    );
    expect(signed.headers.authorization).toMatch(/SignedHeaders=[^,]*x-amz-security-token/);
    const temporary = parseAssumeRoleResponse(stsAnswer(1, '2026-12-06T20:00:00Z'), NOW)?.credentials;
    expect(signed.headers['x-amz-security-token']).toBe(temporary?.sessionToken);
    expect(
      verifySigV4Request(view(signed), {
        accessKeyId: 'ASIATEMP1',
        secretAccessKey: temporary?.secretAccessKey ?? '',
      }),
    ).toBeUndefined();
    expect(verifySigV4Request(view(signed), BASE)).toBe('unknown access key');
  });

  it('signs STS with the base session token when the target gives one, and sends no ExternalId without one', async () => {
    const { transport, sts } = fakeSts({});
    await authorize(authorizeContext(roleTarget({ aws_session_token: 'base-session-token' }), transport));
    const call = sts[0] as UpstreamRequest;
    expect(call.headers['x-amz-security-token']).toBe('base-session-token');
    expect(new URLSearchParams(String(call.body)).has('ExternalId')).toBe(false);
  });

  it('falls back to the gateway’s AWS_ASSUME_ROLE_* credentials when the target has no key', async () => {
    const { transport, sts } = fakeSts({ base: GATEWAY });
    const target = roleTarget({ aws_access_key_id: undefined, aws_secret_access_key: undefined });
    const signed = await authorize(
      authorizeContext(target, transport, { settings: { awsAssumeRoleCredentials: GATEWAY } }),
    );
    expect(sts[0]?.headers.authorization).toContain(`Credential=${GATEWAY.accessKeyId}/`);
    expect(signed.headers.authorization).toContain('Credential=ASIATEMP1/');
  });

  it('makes one STS call for concurrent requests and reuses the credentials until 5 minutes before expiry', async () => {
    let now = NOW;
    const { transport, sts } = fakeSts({ delayMs: 20 });
    const tokenCache = createMemoryTokenCache();
    const context = authorizeContext(roleTarget(), transport, { tokenCache, now: () => now });
    const first = await Promise.all(Array.from({ length: 8 }, () => authorize(context)));
    expect(sts).toHaveLength(1);
    for (const signed of first) expect(signed.headers.authorization).toContain('Credential=ASIATEMP1/');
    now = NOW + 54 * 60_000; // 6 minutes left
    expect((await authorize(context)).headers.authorization).toContain('Credential=ASIATEMP1/');
    expect(sts).toHaveLength(1);
    now = NOW + 56 * 60_000; // 4 minutes left: renewed
    expect((await authorize(context)).headers.authorization).toContain('Credential=ASIATEMP2/');
    expect(sts).toHaveLength(2);
  });

  it('reuses credentials that STS issued for less than 5 minutes until a quarter of their lifetime is left', async () => {
    let now = NOW;
    const expiring = (issued: number) => ({
      status: 200,
      // Four minutes from the call (STS's timestamps have whole seconds).
      text: stsAnswer(issued, new Date(now + 240_000).toISOString().replace(/\.\d+Z$/, 'Z')),
    });
    const { transport, sts } = fakeSts({ answer: expiring });
    const context = authorizeContext(roleTarget(), transport, {
      tokenCache: createMemoryTokenCache(),
      now: () => now,
    });
    expect((await authorize(context)).headers.authorization).toContain('Credential=ASIATEMP1/');
    now = NOW + 170_000; // 70 s left, more than a quarter (60 s): reused
    expect((await authorize(context)).headers.authorization).toContain('Credential=ASIATEMP1/');
    expect(sts).toHaveLength(1);
    now = NOW + 190_000; // 50 s left: renewed
    expect((await authorize(context)).headers.authorization).toContain('Credential=ASIATEMP2/');
    expect(sts).toHaveLength(2);
  });

  it('keeps credentials apart by the whole base key, role, external id and region', async () => {
    const { transport, sts } = fakeSts({});
    const tokenCache = createMemoryTokenCache();
    await authorize(authorizeContext(roleTarget(), transport, { tokenCache }));
    await authorize(authorizeContext(roleTarget({ aws_external_id: 'other' }), transport, { tokenCache }));
    await authorize(
      authorizeContext(roleTarget({ aws_role_arn: 'arn:aws:iam::999999999999:role/other' }), transport, {
        tokenCache,
      }),
    );
    await authorize(authorizeContext(roleTarget({ aws_region: 'us-east-1' }), transport, { tokenCache }));
    expect(sts).toHaveLength(4);
    expect(sts[3]?.url).toBe('https://sts.us-east-1.amazonaws.com/');
    // The same key id with a wrong secret never reaches the cached credentials: STS refuses it.
    const error = await rejection(
      authorize(
        authorizeContext(roleTarget({ aws_secret_access_key: 'guessed' }), transport, { tokenCache }),
      ),
    );
    expect(sts).toHaveLength(5);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).status).toBe(403);
  });

  it('turns STS AccessDenied into a 403 naming the role, never a secret', async () => {
    const { transport } = fakeSts({
      answer: () => ({ status: 403, text: readFixtureText('bedrock', 'sts-error-access-denied.xml') }),
    });
    const error = (await rejection(
      authorize(authorizeContext(roleTarget({ aws_session_token: 'base-session-token' }), transport)),
    )) as UpstreamError;
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.status).toBe(403);
    expect(error.retryable).toBe(false);
    expect(error.code).toBe('AccessDenied');
    const envelope = JSON.stringify(error.toEnvelope());
    expect(envelope).toContain(
      `STS AssumeRole of ${ROLE} failed: AccessDenied: User: arn:aws:iam::111122223333`,
    );
    expect(envelope).toContain('"type":"permission_error"');
    for (const secret of [BASE.secretAccessKey, 'base-session-token']) expect(envelope).not.toContain(secret);
  });

  it('turns an STS ValidationError into a 400, a 5xx into a 502 and an unreachable STS into a retryable 502', async () => {
    const validation = fakeSts({
      answer: () => ({ status: 400, text: readFixtureText('bedrock', 'sts-error-validation.xml') }),
    });
    const invalid = (await rejection(
      authorize(authorizeContext(roleTarget(), validation.transport)),
    )) as UpstreamError;
    expect([invalid.status, invalid.code]).toEqual([400, 'ValidationError']);
    const broken = fakeSts({ answer: () => ({ status: 503, text: 'Service Unavailable' }) });
    const down = (await rejection(
      authorize(authorizeContext(roleTarget(), broken.transport)),
    )) as UpstreamError;
    expect([down.status, down.retryable]).toEqual([502, true]);
    expect(down.vendorMessage).toBe(`STS AssumeRole of ${ROLE} failed: HTTP 503`);
    const unreachable = fakeSts({ unreachable: true });
    const gone = (await rejection(
      authorize(authorizeContext(roleTarget(), unreachable.transport)),
    )) as UpstreamError;
    expect(gone.status).toBe(502);
    expect(gone.connectionError).toBe(true);
    expect(gone.vendorMessage).toContain(`STS AssumeRole of ${ROLE} failed: sts.eu-west-1.amazonaws.com: `);
  });

  it('refuses a missing or malformed role ARN, and a target without base credentials, before calling STS', async () => {
    const { transport, sts } = fakeSts({});
    const missing = await rejection(
      authorize(authorizeContext(roleTarget({ aws_role_arn: undefined }), transport)),
    );
    expect(missing).toBeInstanceOf(PkError);
    expect((missing as PkError).code).toBe('PK_ERR_INVALID_CONFIG');
    expect((missing as PkError).message).toContain('aws_role_arn');
    const malformed = await rejection(
      authorize(authorizeContext(roleTarget({ aws_role_arn: 'bedrock-role' }), transport)),
    );
    expect((malformed as PkError).status).toBe(400);
    expect((malformed as PkError).message).toBe(
      "aws_role_arn is not an IAM role ARN (arn:aws:iam::<account>:role/<name>): 'bedrock-role'",
    );
    const keyless = roleTarget({ aws_access_key_id: undefined, aws_secret_access_key: undefined });
    const noBase = await rejection(authorize(authorizeContext(keyless, transport)));
    expect((noBase as PkError).message).toContain('AWS_ASSUME_ROLE_ACCESS_KEY_ID');
    expect(sts).toHaveLength(0);
  });
});

describe('bedrock aws_auth_type', () => {
  it('refuses the types pk does not implement with a 400 naming them', async () => {
    const { transport, sts } = fakeSts({});
    for (const type of ['serviceRole', 'assumed_role', 'apikey']) {
      const error = await rejection(
        authorize(authorizeContext(roleTarget({ aws_auth_type: type }), transport)),
      );
      expect(error).toBeInstanceOf(PkError);
      expect((error as PkError).code).toBe('PK_ERR_INVALID_CONFIG');
      expect((error as PkError).status).toBe(400);
      expect((error as PkError).message).toContain(type);
    }
    expect(sts).toHaveLength(0);
  });

  it('signs with the target’s own key when unset or accessKey, whatever aws_role_arn says', async () => {
    const { transport, sts } = fakeSts({});
    for (const type of [undefined, 'accessKey']) {
      const signed = await authorize(authorizeContext(roleTarget({ aws_auth_type: type }), transport));
      expect(verifySigV4Request(view(signed), BASE)).toBeUndefined();
    }
    expect(sts).toHaveLength(0);
  });
});

describe('bedrock assumed-role credentials Bedrock no longer accepts', () => {
  const SESSION = (issued: number) => `FwoGZXIvYXdzSESSION${issued}EXAMPLE`;
  const issuedAnswer = (issued: number) =>
    stsAnswer(issued, new Date(NOW + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z')).replace(
      /<SessionToken>[^<]*<\/SessionToken>/,
      `<SessionToken>${SESSION(issued)}</SessionToken>`,
    );
  const secretOf = (issued: number) =>
    parseAssumeRoleResponse(issuedAnswer(issued), NOW)?.credentials.secretAccessKey ?? '';

  /** STS and Bedrock: Bedrock checks the signature and answers 403 `errorType` to a revoked session. */
  function fakeAws(errorType = 'ExpiredTokenException') {
    const sts: UpstreamRequest[] = [];
    const bedrock: UpstreamRequest[] = [];
    const revoked = new Set<string>();
    const transport: Transport = {
      async send(request) {
        if (request.url.startsWith('https://sts.')) {
          sts.push(request);
          if (verifySigV4Request(view(request), BASE) !== undefined) throw new Error('STS signed wrongly');
          return respond(200, issuedAnswer(sts.length));
        }
        if (!request.url.startsWith(BEDROCK_URL.replace('/m/converse', '/'))) {
          throw new Error(`unexpected call to ${request.url}`);
        }
        bedrock.push(request);
        const token = request.headers['x-amz-security-token'];
        const issued = /SESSION(\d+)/.exec(token ?? '')?.[1];
        // A session of STS's is signed with its temporary key, anything else with the target's own.
        const key =
          issued === undefined
            ? BASE
            : { accessKeyId: `ASIATEMP${issued}`, secretAccessKey: secretOf(Number(issued)) };
        if (verifySigV4Request(view(request), key) !== undefined) throw new Error('Bedrock signed wrongly');
        if (token !== undefined && revoked.has(token)) {
          return {
            status: 403,
            headers: {
              'content-type': 'application/json',
              'x-amzn-errortype': `${errorType}:http://internal.amazon.com/coral/com.amazon.coral.service/`,
            },
            body: Readable.from([
              Buffer.from(
                JSON.stringify({ message: 'The security token included in the request is expired' }),
              ),
            ]),
          };
        }
        return {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: Readable.from([Buffer.from(readFixtureText('bedrock', 'text.json'))]),
        };
      },
      close: async () => {},
    };
    return { transport, sts, bedrock, revoked };
  }

  const chat = {
    endpoint: 'chat.completions',
    body: { model: 'm', messages: [{ role: 'user', content: 'hi' }] },
  } as const;

  it('drops credentials of a session Bedrock refuses (ExpiredTokenException, UnrecognizedClientException) and answers with fresh ones from STS, once', async () => {
    for (const errorType of ['ExpiredTokenException', 'UnrecognizedClientException']) {
      const aws = fakeAws(errorType);
      const tokenCache = createMemoryTokenCache();
      const call = () =>
        callProvider({
          target: roleTarget(),
          request: chat,
          transport: aws.transport,
          tokenCache,
          now: () => NOW,
        });
      expect((await call()).ok, errorType).toBe(true);
      aws.revoked.add(SESSION(1));
      const outcome = await call();
      expect(outcome.ok, errorType).toBe(true);
      expect(aws.sts, errorType).toHaveLength(2);
      expect(aws.bedrock.map((request) => request.headers['x-amz-security-token'])).toEqual([
        SESSION(1),
        SESSION(1),
        SESSION(2),
      ]);
      // Later calls use the new session at once.
      expect((await call()).ok).toBe(true);
      expect(aws.sts).toHaveLength(2);
      expect(aws.bedrock.at(-1)?.headers['x-amz-security-token']).toBe(SESSION(2));
    }
  });

  it('answers the 403 when the fresh session is refused too (no loop), and renews nothing for other 403s', async () => {
    const aws = fakeAws();
    const tokenCache = createMemoryTokenCache();
    const call = () =>
      callProvider({
        target: roleTarget(),
        request: chat,
        transport: aws.transport,
        tokenCache,
        now: () => NOW,
      });
    aws.revoked.add(SESSION(1));
    aws.revoked.add(SESSION(2));
    expect(await call()).toMatchObject({ ok: false, status: 403 });
    expect(aws.sts).toHaveLength(2);
    expect(aws.bedrock).toHaveLength(2);

    const denied = fakeAws('AccessDeniedException');
    denied.revoked.add(SESSION(1));
    const outcome = await callProvider({
      target: roleTarget(),
      request: chat,
      transport: denied.transport,
      tokenCache: createMemoryTokenCache(),
      now: () => NOW,
    });
    expect(outcome).toMatchObject({ ok: false, status: 403 });
    expect(denied.sts).toHaveLength(1);
    expect(denied.bedrock).toHaveLength(1);
  });

  it('never renews a target’s own static keys: Bedrock’s 403 stands', async () => {
    const aws = fakeAws();
    aws.revoked.add('FwoGZXIvYXdzSTATIC');
    const outcome = await callProvider({
      target: { ...roleTarget({ aws_auth_type: 'accessKey' }), aws_session_token: 'FwoGZXIvYXdzSTATIC' },
      request: chat,
      transport: aws.transport,
      now: () => NOW,
    });
    expect(outcome).toMatchObject({ ok: false, status: 403 });
    expect(aws.sts).toHaveLength(0);
    expect(aws.bedrock).toHaveLength(1);
  });

  it('keeps credentials another call already renewed', async () => {
    const aws = fakeAws();
    const tokenCache = createMemoryTokenCache();
    const context = authorizeContext(roleTarget(), aws.transport, { tokenCache });
    const input = { roleArn: ROLE, region: 'eu-west-1', base: BASE };
    await getAssumedRoleCredentials(input, context);
    dropAssumedRoleCredentials(input, SESSION(9), context);
    await getAssumedRoleCredentials(input, context);
    expect(aws.sts).toHaveLength(1);
    dropAssumedRoleCredentials(input, SESSION(1), context);
    expect((await getAssumedRoleCredentials(input, context)).sessionToken).toBe(SESSION(2));
    expect(aws.sts).toHaveLength(2);
  });
});
