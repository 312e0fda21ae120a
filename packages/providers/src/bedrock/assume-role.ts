import { createHash } from 'node:crypto';
import { canonicalJson } from '@pk/config';
import { readBodyText } from '../execute/read-body.js';
import { untilAborted } from '../execute/until-aborted.js';
import type { AuthorizeContext } from '../spec/provider-adapter.js';
import { type CachedToken, isTokenFresh } from '../spec/token-cache.js';
import { UpstreamError } from '../spec/upstream-error.js';
import type { UpstreamRequest } from '../spec/upstream-request.js';
import type { BedrockCredentials } from './credentials.js';
import { signBedrockRequest } from './sign.js';

/** Temporary credentials are renewed this long before STS said they expire (at most a quarter of their lifetime: {@link isTokenFresh}). */
export const BEDROCK_ASSUME_ROLE_REFRESH_MARGIN_MS = 5 * 60_000;
/** Longest a shared AssumeRole call may take (it outlives the request that started it). */
export const BEDROCK_ASSUME_ROLE_TIMEOUT_MS = 30_000;
/** Used when an answer's `Expiration` cannot be read: AssumeRole's shortest session, 15 minutes. */
const FALLBACK_LIFETIME_MS = 15 * 60_000;

/** What one AssumeRole call is made of. */
export interface AssumeRoleInput {
  /** The role to assume (`aws_role_arn`). */
  readonly roleArn: string;
  /** `aws_external_id`, when the role's trust policy asks for one. */
  readonly externalId?: string | undefined;
  /** The region whose STS endpoint is called (the Bedrock call's). */
  readonly region: string;
  /** The credentials that sign the call. */
  readonly base: BedrockCredentials;
}

/** Temporary credentials and when they expire (ms since the epoch). */
export interface AssumedRoleCredentials {
  readonly credentials: Required<BedrockCredentials>;
  readonly expiresAt: number;
}

/** The regional STS endpoint of a region (`https://sts.eu-west-1.amazonaws.com/`). */
export function stsEndpoint(region: string): string {
  return `https://sts.${region}.amazonaws.com/`;
}

/**
 * The STS `AssumeRole` call of the Query API, unsigned: a form POST (as the AWS SDKs send it, so
 * nothing of it lands in a URL or an access log) of `Action`, `Version`, `RoleArn`,
 * `RoleSessionName` and `ExternalId`.
 * @see https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
export function buildAssumeRoleRequest(input: AssumeRoleInput, sessionName: string): UpstreamRequest {
  const form = new URLSearchParams({
    Action: 'AssumeRole',
    Version: '2011-06-15',
    RoleArn: input.roleArn,
    RoleSessionName: sessionName,
  });
  if (input.externalId !== undefined) form.set('ExternalId', input.externalId);
  return {
    url: stsEndpoint(input.region),
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: form.toString(),
  };
}

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

/** Text of XML character data: the five named entities and numeric references decoded. */
function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? '';
  });
}

/** The text of the first `<tag>…</tag>` (no attributes, no nested elements) in `xml`. */
function elementText(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return match?.[1] === undefined ? undefined : decodeXmlText(match[1]).trim();
}

/** The inside of the first `<tag>…</tag>` element. */
function elementBody(xml: string, tag: string): string | undefined {
  const start = xml.indexOf(`<${tag}>`);
  if (start < 0) return undefined;
  const end = xml.indexOf(`</${tag}>`, start);
  return end < 0 ? undefined : xml.slice(start + tag.length + 2, end);
}

/**
 * `AssumeRoleResponse/AssumeRoleResult/Credentials` of an STS answer (AccessKeyId, SecretAccessKey,
 * SessionToken, Expiration), or `undefined` when one is missing. The answer's shape is fixed and
 * flat, so it is read without an XML library: element texts, entities decoded.
 */
export function parseAssumeRoleResponse(xml: string, nowMs: number): AssumedRoleCredentials | undefined {
  const result = elementBody(xml, 'AssumeRoleResult');
  const block = result === undefined ? undefined : elementBody(result, 'Credentials');
  if (block === undefined) return undefined;
  // None of the three holds whitespace (AWS's documented example wraps them for print).
  const compact = (tag: string): string | undefined => elementText(block, tag)?.replace(/\s+/g, '');
  const accessKeyId = compact('AccessKeyId');
  const secretAccessKey = compact('SecretAccessKey');
  const sessionToken = compact('SessionToken');
  if (!accessKeyId || !secretAccessKey || !sessionToken) return undefined;
  const expiration = Date.parse(elementText(block, 'Expiration') ?? '');
  return {
    credentials: { accessKeyId, secretAccessKey, sessionToken },
    expiresAt: Number.isFinite(expiration) ? expiration : nowMs + FALLBACK_LIFETIME_MS,
  };
}

/** `ErrorResponse/Error` of an STS error answer: its `Code` and `Message`, when present. */
export function parseStsError(xml: string): { code?: string; message?: string } {
  const error = elementBody(xml, 'Error') ?? '';
  const code = elementText(error, 'Code');
  const message = elementText(error, 'Message');
  return { ...(code ? { code } : {}), ...(message ? { message } : {}) };
}

/** The status pk answers with for an STS error answer. */
function statusOf(stsStatus: number, code: string | undefined): number {
  if (code === 'Throttling' || stsStatus === 429) return 429;
  if (stsStatus >= 500) return 502;
  if (stsStatus === 403 || stsStatus === 400 || stsStatus === 401 || stsStatus === 404) return stsStatus;
  return 502;
}

function typeOf(status: number): string {
  if (status === 403) return 'permission_error';
  if (status === 401) return 'authentication_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

/** `text` with every secret of `base` replaced (STS never echoes them; this makes sure). */
function withoutSecrets(text: string, base: BedrockCredentials): string {
  let out = text;
  for (const secret of [base.secretAccessKey, base.sessionToken]) {
    if (secret !== undefined && secret.length >= 8) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/**
 * The token cache key of an AssumeRole: a SHA-256 of the whole base credential (secret included),
 * the role, the external id and the region. Never the access key id alone: a caller who knows
 * another's key id but not its secret must not reach the role credentials that key obtained.
 */
export function assumeRoleCacheKey(input: AssumeRoleInput): string {
  const digest = createHash('sha256')
    .update(
      canonicalJson({
        base: input.base,
        roleArn: input.roleArn,
        externalId: input.externalId ?? null,
        region: input.region,
      }),
    )
    .digest('hex');
  return `bedrock-assume-role:${digest}`;
}

/** Calls STS, checks and reads its answer, and stores the credentials it gives. */
async function assumeRole(
  input: AssumeRoleInput,
  key: string,
  context: AuthorizeContext,
  signal: AbortSignal | undefined,
): Promise<CachedToken> {
  const now = context.now();
  const failed = (status: number, detail: string, extra: Partial<UpstreamError> & { raw?: unknown }) =>
    new UpstreamError({
      provider: context.provider,
      status,
      message: `STS AssumeRole of ${input.roleArn} failed: ${withoutSecrets(detail, input.base)}`,
      type: typeOf(status),
      code: extra.code ?? null,
      raw: extra.raw,
      ...(extra.connectionError ? { connectionError: true } : {}),
    });
  const request = await signBedrockRequest(buildAssumeRoleRequest(input, `pk-${Math.floor(now / 1000)}`), {
    credentials: input.base,
    region: input.region,
    service: 'sts',
    date: new Date(now),
  });
  let text: string;
  let status: number;
  try {
    const response = await context.transport.send(request, { provider: context.provider, signal });
    status = response.status;
    text = await readBodyText({ body: response.body, provider: context.provider, signal });
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    throw failed(error.status, `${new URL(request.url).host}: ${error.vendorMessage}`, {
      connectionError: error.connectionError,
      code: error.code,
    });
  }
  if (status !== 200) {
    const sts = parseStsError(text);
    const what = sts.code ?? `HTTP ${status}`;
    throw failed(statusOf(status, sts.code), sts.message === undefined ? what : `${what}: ${sts.message}`, {
      code: sts.code ?? null,
      raw: withoutSecrets(text.slice(0, 1000), input.base),
    });
  }
  const assumed = parseAssumeRoleResponse(text, now);
  if (assumed === undefined) throw failed(502, 'the answer holds no credentials', {});
  const token = { token: JSON.stringify(assumed.credentials), expiresAt: assumed.expiresAt, obtainedAt: now };
  context.tokenCache.set(key, token);
  return token;
}

/**
 * After Bedrock refused temporary credentials before their expiry (a session revoked, or its token no
 * longer recognised): the cached credentials of `input` are marked expired, so the next
 * {@link getAssumedRoleCredentials} asks STS again, unless they are no longer the rejected session
 * token (another call already renewed them).
 */
export function dropAssumedRoleCredentials(
  input: AssumeRoleInput,
  rejectedSessionToken: string,
  context: AuthorizeContext,
): void {
  const key = assumeRoleCacheKey(input);
  const cached = context.tokenCache.get(key);
  if (cached === undefined || cached.expiresAt <= 0) return;
  const credentials = JSON.parse(cached.token) as Required<BedrockCredentials>;
  if (credentials.sessionToken !== rejectedSessionToken) return;
  context.tokenCache.set(key, { token: cached.token, expiresAt: 0 });
}

/**
 * Temporary credentials of `input.roleArn`: from `context.tokenCache` (keyed by
 * {@link assumeRoleCacheKey}) while they have more than 5 minutes (or a quarter of their lifetime, if shorter) left, else from STS `AssumeRole` at
 * the region's endpoint, signed (SigV4, service `sts`) with `input.base`, through the call's own
 * transport. Concurrent calls share one STS call (when the cache can share), bounded by its own 30 s
 * timeout; each caller still stops waiting when its own signal fires. An STS error is an
 * {@link UpstreamError} naming the role (403 for AccessDenied, 400 for a request STS refused, 502 when
 * STS is unreachable or answers 5xx), never a secret.
 */
export async function getAssumedRoleCredentials(
  input: AssumeRoleInput,
  context: AuthorizeContext,
): Promise<BedrockCredentials> {
  const key = assumeRoleCacheKey(input);
  const cached = context.tokenCache.get(key);
  const usable = (token: CachedToken): BedrockCredentials =>
    JSON.parse(token.token) as Required<BedrockCredentials>;
  if (cached !== undefined && isTokenFresh(cached, context.now(), BEDROCK_ASSUME_ROLE_REFRESH_MARGIN_MS)) {
    return usable(cached);
  }
  const { share } = context.tokenCache;
  if (share === undefined) return usable(await assumeRole(input, key, context, context.signal));
  const shared = share.call(context.tokenCache, key, () =>
    assumeRole(input, key, context, AbortSignal.timeout(BEDROCK_ASSUME_ROLE_TIMEOUT_MS)),
  );
  return usable(await untilAborted(shared, context.signal, context.provider));
}
