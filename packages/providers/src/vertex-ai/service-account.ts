import { createHash, createPrivateKey, createSign, type KeyObject } from 'node:crypto';
import { canonicalJson, PkError } from '@pk/config';
import { readBodyText } from '../execute/read-body.js';
import { untilAborted } from '../execute/until-aborted.js';
import { parseJsonOrUndefined } from '../shared/json.js';
import type { AuthorizeContext, ProviderTarget } from '../spec/provider-adapter.js';
import { type CachedToken, isTokenFresh } from '../spec/token-cache.js';
import { UpstreamError } from '../spec/upstream-error.js';
import {
  type VertexAIServiceAccount,
  vertexAIServiceAccountSchema,
  vertexAITokenErrorSchema,
  vertexAITokenResponseSchema,
} from './api.js';

/** Google's OAuth token endpoint, the only `token_uri` trusted unless the settings name others. */
export const VERTEX_AI_GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
/** The scope asked for. */
export const VERTEX_AI_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** A cached token is refreshed this long before it expires (at most a quarter of its lifetime: {@link isTokenFresh}). */
export const VERTEX_AI_TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
/** Longest a shared token exchange may take (it outlives the request that started it). */
export const VERTEX_AI_TOKEN_EXCHANGE_TIMEOUT_MS = 30_000;

/**
 * The target's `vertex_service_account_json` (an object, or the JSON text a header carries), or
 * `undefined`. A `private_key` pasted with literal `\\n` sequences instead of line breaks (as
 * environment variables often carry it) is normalised (a PEM key holds no backslash, so nothing else
 * can change); whether it is a usable key is checked when it signs (a token exchange).
 */
export function readVertexAIServiceAccount(target: ProviderTarget): VertexAIServiceAccount | undefined {
  const raw = target.vertex_service_account_json;
  if (raw === undefined || raw === null || raw === '') return undefined;
  const parsed = vertexAIServiceAccountSchema.safeParse(
    typeof raw === 'string' ? parseJsonOrUndefined(raw) : raw,
  );
  if (!parsed.success) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      'vertex_service_account_json lacks client_email or private_key',
      {
        param: 'vertex_service_account_json',
      },
    );
  }
  const account = parsed.data;
  const privateKey = normaliseVertexAIPrivateKey(account.private_key);
  return privateKey === account.private_key ? account : { ...account, private_key: privateKey };
}

/** A PEM key with literal `\\n` (or `\\r\\n`) sequences instead of line breaks, with line breaks. */
export function normaliseVertexAIPrivateKey(privateKey: string): string {
  return privateKey.includes('\\') ? privateKey.replace(/\\r\\n|\\n/g, '\n') : privateKey;
}

/** The RSA private key of a PEM text, or `undefined` when it is not one. */
function usablePrivateKey(pem: string): KeyObject | undefined {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return undefined;
  }
  return key.asymmetricKeyType === 'rsa' ? key : undefined;
}

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/**
 * The RS256-signed JWT assertion for the token endpoint (iss, scope, aud, iat, exp = iat + 1 h). A
 * `private_key` that is not an RSA private key in PEM form is a 400 `PK_ERR_INVALID_CONFIG` (never
 * retried, never counted by a breaker) whose message does not show the key.
 */
export function signVertexAIAssertion(
  account: VertexAIServiceAccount,
  tokenUri: string,
  nowMs: number,
): string {
  const iat = Math.floor(nowMs / 1000);
  const header = {
    alg: 'RS256',
    typ: 'JWT',
    ...(account.private_key_id ? { kid: account.private_key_id } : {}),
  };
  const claims = { iss: account.client_email, scope: VERTEX_AI_SCOPE, aud: tokenUri, iat, exp: iat + 3600 };
  const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const key = usablePrivateKey(normaliseVertexAIPrivateKey(account.private_key));
  if (key === undefined) {
    throw new PkError(
      'PK_ERR_INVALID_CONFIG',
      'vertex_service_account_json: private_key is not a usable PEM private key (expected the RSA key of a Google service-account key file, "-----BEGIN PRIVATE KEY-----…")',
      { param: 'vertex_service_account_json' },
    );
  }
  const signature = createSign('RSA-SHA256').update(unsigned).sign(key);
  return `${unsigned}.${base64url(signature)}`;
}

function tokenError(provider: string, status: number, message: string, raw: unknown): UpstreamError {
  return new UpstreamError({
    provider,
    status: status >= 500 ? 502 : 401,
    message: `service account token exchange failed: ${message}`,
    type: 'authentication_error',
    code: null,
    raw,
  });
}

/**
 * The token cache key of a service account: a SHA-256 of the whole key file (every field, the
 * private key included) and the token endpoint. Never a part of it: a caller who knows an account's
 * email but not its key must not reach that account's token.
 */
export function vertexAITokenCacheKey(account: VertexAIServiceAccount, tokenUri: string): string {
  return `vertex-ai:${createHash('sha256').update(canonicalJson({ account, tokenUri })).digest('hex')}`;
}

/** Posts a signed assertion to the token endpoint and stores the token it gives. */
async function exchangeToken(
  account: VertexAIServiceAccount,
  tokenUri: string,
  key: string,
  context: AuthorizeContext,
  signal: AbortSignal | undefined,
): Promise<CachedToken> {
  const now = context.now();
  const assertion = signVertexAIAssertion(account, tokenUri, now);
  const response = await context.transport.send(
    {
      url: tokenUri,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion,
      }).toString(),
    },
    { provider: context.provider, signal },
  );
  const text = await readBodyText({ body: response.body, provider: context.provider, signal });
  const json = parseJsonOrUndefined(text);
  if (response.status !== 200) {
    const error = vertexAITokenErrorSchema.safeParse(json);
    const message =
      (error.success ? (error.data.error_description ?? error.data.error) : undefined) ??
      `HTTP ${response.status}`;
    throw tokenError(
      context.provider,
      response.status,
      message,
      error.success ? error.data : text.slice(0, 500),
    );
  }
  const parsed = vertexAITokenResponseSchema.safeParse(json);
  if (!parsed.success) throw tokenError(context.provider, 502, 'unexpected token response', undefined);
  const token = {
    token: parsed.data.access_token,
    expiresAt: now + parsed.data.expires_in * 1000,
    obtainedAt: now,
  };
  context.tokenCache.set(key, token);
  return token;
}

/** The token endpoint of an account, which must be Google's or one the settings trust. */
function trustedTokenUri(account: VertexAIServiceAccount, context: AuthorizeContext): string {
  const tokenUri = account.token_uri ?? VERTEX_AI_GOOGLE_TOKEN_URI;
  if (
    tokenUri !== VERTEX_AI_GOOGLE_TOKEN_URI &&
    !context.settings.trustedGoogleTokenUris?.includes(tokenUri)
  ) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      `untrusted token_uri in vertex_service_account_json: '${tokenUri}'`,
      {
        param: 'vertex_service_account_json',
      },
    );
  }
  return tokenUri;
}

/**
 * Marks the cached token of a service account expired when it is still `rejected` (the token Vertex
 * answered 401 to), so the next {@link getVertexAIAccessToken} exchanges a new one. A token another
 * call already put in its place is kept: concurrent 401s to one token make one refresh.
 */
export function dropVertexAIAccessToken(
  account: VertexAIServiceAccount,
  rejected: string,
  context: AuthorizeContext,
): void {
  const key = vertexAITokenCacheKey(account, trustedTokenUri(account, context));
  const cached = context.tokenCache.get(key);
  if (cached !== undefined && cached.token === rejected && cached.expiresAt > 0) {
    context.tokenCache.set(key, { token: cached.token, expiresAt: 0 });
  }
}

/**
 * An OAuth access token for a service account: from `context.tokenCache` (keyed by
 * {@link vertexAITokenCacheKey}, never the key itself) while it has more than 5 minutes (or a quarter of its lifetime, if shorter) left, else
 * exchanged through the call's own transport by posting an RS256 assertion to the account's
 * `token_uri`, which must be Google's unless `settings.trustedGoogleTokenUris` lists it (the JSON can
 * come from a request header). Concurrent calls with one account share one exchange (when the cache
 * can share), which is bounded by its own 30 s timeout rather than the first caller's signal; each
 * caller still stops waiting when its own signal fires.
 * @see https://developers.google.com/identity/protocols/oauth2/service-account#httprest
 */
export async function getVertexAIAccessToken(
  account: VertexAIServiceAccount,
  context: AuthorizeContext,
): Promise<string> {
  const tokenUri = trustedTokenUri(account, context);
  const key = vertexAITokenCacheKey(account, tokenUri);
  const cached = context.tokenCache.get(key);
  if (cached !== undefined && isTokenFresh(cached, context.now(), VERTEX_AI_TOKEN_REFRESH_MARGIN_MS)) {
    return cached.token;
  }
  const { share } = context.tokenCache;
  if (share === undefined)
    return (await exchangeToken(account, tokenUri, key, context, context.signal)).token;
  const shared = share.call(context.tokenCache, key, () =>
    exchangeToken(account, tokenUri, key, context, AbortSignal.timeout(VERTEX_AI_TOKEN_EXCHANGE_TIMEOUT_MS)),
  );
  return (await untilAborted(shared, context.signal, context.provider)).token;
}
