import { createHash } from 'node:crypto';
import { canonicalJson, type PlanLeaf } from '@pk/config';

/** Body fields that do not change the answer's content and stay out of the key. */
const IGNORED_BODY_FIELDS = new Set(['stream', 'stream_options', 'user']);

/** Everything that decides which cache entry a request may use (issue: caching, "where and what"). */
export interface CacheKeyInput {
  /** The gateway key's id, or `anonymous`: two tenants never share an entry. */
  readonly tenant: string;
  /** The leaf being tried: provider, credential identity, upstream location, `override_params`. */
  readonly leaf: PlanLeaf;
  /** `chat.completions`, `completions` or `embeddings`. */
  readonly endpoint: string;
  /** The client's JSON body. */
  readonly body: Readonly<Record<string, unknown>>;
  /** `x-portkey-cache-namespace`; when absent the metadata partitions the cache instead. */
  readonly namespace?: string | undefined;
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The cache key of one leaf for one request: SHA-256 over the tenant, the credential identity
 * (virtual key id, or a SHA-256 of the provider key — never the key itself), the provider and where
 * it is called (custom host, Azure resource and deployment), the endpoint, the body after
 * `override_params` as canonical JSON without `stream`, `stream_options` and `user`, and the namespace
 * (else the metadata). Prefixed `pk:c:` so the keys are recognisable in Redis.
 */
export function cacheKeyOf(input: CacheKeyInput): string {
  const body: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(bodyAfterOverrides(input))) {
    if (!IGNORED_BODY_FIELDS.has(field)) body[field] = value;
  }
  return `pk:c:${sha256(`${cachePartitionOf(input)}\n${canonicalJson(body)}`)}`;
}

/** The client's body with the leaf's `override_params` applied (what the provider is asked). */
export function bodyAfterOverrides(input: Pick<CacheKeyInput, 'body' | 'leaf'>): Record<string, unknown> {
  return { ...input.body, ...input.leaf.override_params };
}

/**
 * Everything of the key but the body: tenant, credential identity, provider and location, endpoint,
 * and namespace (else metadata). The semantic cache never matches across partitions.
 */
export function cachePartitionOf(input: Omit<CacheKeyInput, 'body'>): string {
  const target = input.leaf.target;
  const credential =
    typeof target.virtual_key === 'string'
      ? `vk:${target.virtual_key}`
      : typeof target.api_key === 'string'
        ? `key:${sha256(target.api_key)}`
        : 'none';
  const location = [target.custom_host, target.resource_name, target.deployment_id, target.api_version]
    .map((part) => (typeof part === 'string' ? part : ''))
    .join('|');
  const partition =
    input.namespace !== undefined ? `ns:${input.namespace}` : `md:${canonicalJson(input.metadata ?? {})}`;
  return [input.tenant, credential, String(target.provider ?? ''), location, input.endpoint, partition].join(
    '\n',
  );
}
