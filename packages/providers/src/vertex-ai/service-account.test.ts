import { createVerify, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProvider } from '../execute/call-provider.js';
import { createUndiciTransport } from '../execute/undici-transport.js';
import { createMemoryTokenCache } from '../spec/token-cache.js';
import { readFixtureText } from '../test-support/fixtures.js';
import { type MockUpstream, type RecordedRequest, startMockUpstream } from '../test-support/mock-upstream.js';
import { VERTEX_AI_SCOPE, vertexAITokenCacheKey } from './service-account.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const transport = createUndiciTransport();
let upstream: MockUpstream;
let issued = 0;
/** `expires_in` of the tokens the mock endpoint issues. */
let tokenLifetimeS = 3600;
let tokenDelayMs = 0;
/** Access tokens the mock Vertex answers 401 to (revoked before they expired). */
const revoked = new Set<string>();
/** Google's answer to a bearer token it does not accept. */
const UNAUTHENTICATED = JSON.stringify({
  error: {
    code: 401,
    message:
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
    status: 'UNAUTHENTICATED',
  },
});

function verifyAssertion(request: RecordedRequest, tokenUri: string): string | undefined {
  const form = new URLSearchParams(request.body);
  if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return 'grant_type';
  const [header = '', claims = '', signature = ''] = (form.get('assertion') ?? '').split('.');
  const ok = createVerify('RSA-SHA256')
    .update(`${header}.${claims}`)
    .verify(publicKey, Buffer.from(signature, 'base64url'));
  if (!ok) return 'signature';
  const decoded = JSON.parse(Buffer.from(claims, 'base64url').toString()) as Record<string, unknown>;
  const head = JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>;
  if (head.alg !== 'RS256' || head.kid !== 'key-1') return 'header';
  if (
    decoded.iss !== 'pk@my-project-1.iam.gserviceaccount.com' ||
    decoded.aud !== tokenUri ||
    decoded.scope !== VERTEX_AI_SCOPE
  )
    return 'claims';
  if (Number(decoded.exp) - Number(decoded.iat) !== 3600) return 'lifetime';
  return undefined;
}

beforeAll(async () => {
  upstream = await startMockUpstream((request) => {
    if (request.url === '/token') {
      const problem = verifyAssertion(request, `${upstream.origin}/token`);
      if (problem) return { status: 400, body: readFixtureText('vertex-ai', 'token-error.json') };
      issued += 1;
      return {
        delayMs: tokenDelayMs,
        body: JSON.stringify({
          access_token: `ya29.token-${issued}`,
          expires_in: tokenLifetimeS,
          token_type: 'Bearer',
        }),
      };
    }
    const bearer = String(request.headers.authorization ?? '').replace(/^Bearer /, '');
    if (revoked.has(bearer)) return { status: 401, body: UNAUTHENTICATED };
    return { body: readFixtureText('google', 'text.json') };
  });
});
afterAll(async () => {
  await upstream.close();
  await transport.close();
});

const account = (tokenUri: string, key = privateKey) => ({
  type: 'service_account',
  project_id: 'my-project-1',
  private_key_id: 'key-1',
  private_key: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
  client_email: 'pk@my-project-1.iam.gserviceaccount.com',
  token_uri: tokenUri,
});

describe('vertex-ai service account', () => {
  it('exchanges a verified RS256 assertion, reuses the token until 5 minutes before expiry, then refreshes', async () => {
    const tokenCache = createMemoryTokenCache();
    const tokenUri = `${upstream.origin}/token`;
    let clock = 1_700_000_000_000;
    const call = () =>
      callProvider({
        target: {
          provider: 'vertex-ai',
          custom_host: `${upstream.origin}/v1`,
          vertex_region: 'us-central1',
          // As a header carries it: JSON text.
          vertex_service_account_json: JSON.stringify(account(tokenUri)),
        },
        request: {
          endpoint: 'chat.completions',
          body: { model: 'gemini-2.0-flash', messages: [{ role: 'user', content: 'hi' }] },
        },
        transport,
        tokenCache,
        authSettings: { trustedGoogleTokenUris: [tokenUri] },
        now: () => clock,
      });
    const bearerOfLastCall = () => upstream.requests.at(-1)?.headers.authorization;
    expect((await call()).ok).toBe(true);
    expect(bearerOfLastCall()).toBe('Bearer ya29.token-1');
    expect(upstream.requests.at(-1)?.url).toBe(
      '/v1/projects/my-project-1/locations/us-central1/publishers/google/models/gemini-2.0-flash:generateContent',
    );
    clock += 54 * 60_000;
    await call();
    expect(bearerOfLastCall()).toBe('Bearer ya29.token-1');
    expect(issued).toBe(1);
    clock += 2 * 60_000;
    await call();
    expect(bearerOfLastCall()).toBe('Bearer ya29.token-2');
    expect(issued).toBe(2);
  });

  it('reuses a token issued for less than 5 minutes until a quarter of its lifetime is left', async () => {
    const tokenCache = createMemoryTokenCache();
    const tokenUri = `${upstream.origin}/token`;
    let clock = 1_700_000_000_000;
    const call = () =>
      callProvider({
        target: {
          provider: 'vertex-ai',
          custom_host: `${upstream.origin}/v1`,
          vertex_region: 'us-central1',
          vertex_service_account_json: JSON.stringify(account(tokenUri)),
        },
        request: {
          endpoint: 'chat.completions',
          body: { model: 'gemini-2.0-flash', messages: [{ role: 'user', content: 'hi' }] },
        },
        transport,
        tokenCache,
        authSettings: { trustedGoogleTokenUris: [tokenUri] },
        now: () => clock,
      });
    tokenLifetimeS = 240;
    try {
      const before = issued;
      expect((await call()).ok).toBe(true);
      const first = upstream.requests.at(-1)?.headers.authorization;
      clock += 170_000; // 70 s left, more than a quarter (60 s): reused
      await call();
      expect(upstream.requests.at(-1)?.headers.authorization).toBe(first);
      expect(issued).toBe(before + 1);
      clock += 20_000; // 50 s left: renewed
      await call();
      expect(upstream.requests.at(-1)?.headers.authorization).not.toBe(first);
      expect(issued).toBe(before + 2);
    } finally {
      tokenLifetimeS = 3600;
    }
  });

  it("refuses a token_uri that is not Google's unless trusted, without any request", async () => {
    const before = upstream.requests.length;
    const outcome = await callProvider({
      target: {
        provider: 'vertex-ai',
        custom_host: `${upstream.origin}/v1`,
        vertex_service_account_json: account(`${upstream.origin}/token`),
      },
      request: {
        endpoint: 'chat.completions',
        body: { model: 'gemini-2.0-flash', messages: [{ role: 'user', content: 'hi' }] },
      },
      transport,
    });
    expect(outcome).toMatchObject({ ok: false, status: 400 });
    expect(upstream.requests.length).toBe(before);
  });

  it('reports a rejected assertion as a 401 that is not retried', async () => {
    const { privateKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const tokenUri = `${upstream.origin}/token`;
    const outcome = await callProvider({
      target: {
        provider: 'vertex-ai',
        custom_host: `${upstream.origin}/v1`,
        vertex_service_account_json: account(tokenUri, otherKey),
      },
      request: {
        endpoint: 'chat.completions',
        body: { model: 'gemini-2.0-flash', messages: [{ role: 'user', content: 'hi' }] },
      },
      transport,
      authSettings: { trustedGoogleTokenUris: [tokenUri] },
    });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.status).toBe(401);
    expect(outcome.error).toMatchObject({
      retryable: false,
      vendorMessage: expect.stringContaining('Invalid JWT Signature'),
    });
  });

  it('concurrent calls with one account share one exchange; a caller that gives up does not cancel it', async () => {
    const tokenCache = createMemoryTokenCache();
    const tokenUri = `${upstream.origin}/token`;
    const call = (signal?: AbortSignal) =>
      callProvider({
        target: {
          provider: 'vertex-ai',
          custom_host: `${upstream.origin}/v1`,
          vertex_region: 'us-central1',
          vertex_service_account_json: account(tokenUri),
        },
        request: {
          endpoint: 'chat.completions',
          body: { model: 'gemini-2.0-flash', messages: [{ role: 'user', content: 'hi' }] },
        },
        transport,
        tokenCache,
        authSettings: { trustedGoogleTokenUris: [tokenUri] },
        signal,
      });
    tokenDelayMs = 150;
    const before = issued;
    const leaving = new AbortController();
    const gaveUp = call(leaving.signal);
    setTimeout(() => leaving.abort(new Error('the client went away')), 30);
    const outcomes = await Promise.all([call(), call(), call()]);
    tokenDelayMs = 0;
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, true, true]);
    expect(await gaveUp).toMatchObject({ ok: false, status: 499 });
    expect(issued - before).toBe(1);
  });

  it('keys the cache by the whole credential: the same email with another key is another entry', () => {
    const { privateKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const tokenUri = 'https://oauth2.googleapis.com/token';
    const mine = vertexAITokenCacheKey(account(tokenUri), tokenUri);
    expect(vertexAITokenCacheKey(account(tokenUri, otherKey), tokenUri)).not.toBe(mine);
    expect(vertexAITokenCacheKey(account(tokenUri), tokenUri)).toBe(mine);
    expect(mine).not.toContain('PRIVATE');
  });

  const gemini = {
    endpoint: 'chat.completions' as const,
    body: { model: 'gemini-2.0-flash', messages: [{ role: 'user', content: 'hi' }] },
  };

  it.each([
    [
      'a PEM whose body is cut short',
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n',
    ],
    ['no PEM at all', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7'],
    [
      'an EC key (not RSA)',
      generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
    ],
  ])('refuses %s as a 400 that names the field, never the key, and sends nothing', async (_, key) => {
    const tokenUri = `${upstream.origin}/token`;
    const before = upstream.requests.length;
    const outcome = await callProvider({
      target: {
        provider: 'vertex-ai',
        custom_host: `${upstream.origin}/v1`,
        vertex_service_account_json: { ...account(tokenUri), private_key: key },
      },
      request: gemini,
      transport,
      authSettings: { trustedGoogleTokenUris: [tokenUri] },
    });
    expect(outcome).toMatchObject({ ok: false, status: 400 });
    if (outcome.ok) return;
    expect(outcome).not.toHaveProperty('connectionError');
    expect(outcome.error).toMatchObject({
      code: 'PK_ERR_INVALID_CONFIG',
      param: 'vertex_service_account_json',
      message: expect.stringContaining('private_key is not a usable PEM private key'),
    });
    expect(outcome.error.message).not.toContain('MII');
    expect(upstream.requests.length).toBe(before);
  });

  it('accepts a private key pasted with literal \\n sequences (as environment variables carry it)', async () => {
    const tokenUri = `${upstream.origin}/token`;
    const escaped = account(tokenUri).private_key.replace(/\n/g, '\\n');
    expect(escaped).not.toContain('\n');
    const before = issued;
    const outcome = await callProvider({
      target: {
        provider: 'vertex-ai',
        custom_host: `${upstream.origin}/v1`,
        vertex_service_account_json: JSON.stringify({ ...account(tokenUri), private_key: escaped }),
      },
      request: gemini,
      transport,
      authSettings: { trustedGoogleTokenUris: [tokenUri] },
    });
    expect(outcome.ok).toBe(true);
    // The mock verified the assertion's signature with the account's public key.
    expect(issued).toBe(before + 1);
    expect(upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ya29.token-${issued}`);
  });

  it('a token Vertex answers 401 to is dropped and the call made once more with a new one, one exchange for concurrent calls', async () => {
    const tokenCache = createMemoryTokenCache();
    const tokenUri = `${upstream.origin}/token`;
    const call = () =>
      callProvider({
        target: {
          provider: 'vertex-ai',
          custom_host: `${upstream.origin}/v1`,
          vertex_service_account_json: account(tokenUri),
        },
        request: gemini,
        transport,
        tokenCache,
        authSettings: { trustedGoogleTokenUris: [tokenUri] },
      });
    expect((await call()).ok).toBe(true);
    const first = `ya29.token-${issued}`;
    revoked.add(first);
    const before = issued;
    const calls = upstream.requests.length;
    tokenDelayMs = 100;
    const outcomes = await Promise.all([call(), call(), call()]);
    tokenDelayMs = 0;
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, true, true]);
    expect(issued - before).toBe(1);
    const sent = upstream.requests.slice(calls).filter((request) => request.url !== '/token');
    expect(sent.map((request) => request.headers.authorization)).toEqual([
      `Bearer ${first}`,
      `Bearer ${first}`,
      `Bearer ${first}`,
      `Bearer ya29.token-${issued}`,
      `Bearer ya29.token-${issued}`,
      `Bearer ya29.token-${issued}`,
    ]);
    // Later calls use the new token at once.
    expect((await call()).ok).toBe(true);
    expect(issued - before).toBe(1);
  });

  it('a 401 to a token the caller gave stands: nothing is exchanged, nothing sent again', async () => {
    revoked.add('ya29.callers-own');
    const before = upstream.requests.length;
    const outcome = await callProvider({
      target: {
        provider: 'vertex-ai',
        custom_host: `${upstream.origin}/v1`,
        vertex_project_id: 'my-project-1',
        api_key: 'ya29.callers-own',
      },
      request: gemini,
      transport,
    });
    expect(outcome).toMatchObject({ ok: false, status: 401 });
    expect(upstream.requests.length).toBe(before + 1);
  });

  it('a service account whose new token is refused too answers the 401 after one more try', async () => {
    const tokenCache = createMemoryTokenCache();
    const tokenUri = `${upstream.origin}/token`;
    const call = () =>
      callProvider({
        target: {
          provider: 'vertex-ai',
          custom_host: `${upstream.origin}/v1`,
          vertex_service_account_json: account(tokenUri),
        },
        request: gemini,
        transport,
        tokenCache,
        authSettings: { trustedGoogleTokenUris: [tokenUri] },
      });
    expect((await call()).ok).toBe(true);
    revoked.add(`ya29.token-${issued}`);
    revoked.add(`ya29.token-${issued + 1}`);
    const before = upstream.requests.length;
    const outcome = await call();
    expect(outcome).toMatchObject({ ok: false, status: 401 });
    // The refused call, one exchange, the call once more: no loop.
    expect(upstream.requests.length - before).toBe(3);
  });
});
