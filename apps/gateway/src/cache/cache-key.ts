import { hash } from 'node:crypto';
import {
  canonicalJson,
  type PlanLeaf,
  planCacheIdentity,
  planRoutesByMetadata,
  type ResolvedPlan,
} from '@pk/config';

/** Body fields that do not change the answer's content and stay out of the key. */
const IGNORED_BODY_FIELDS = new Set(['stream', 'stream_options', 'user']);

/** What every cache key holds besides where it applies (a leaf, or the whole plan). */
interface RequestKeyInput {
  /** The gateway key's id, or `anonymous`: two tenants never share an entry. */
  readonly tenant: string;
  /** `chat.completions`, `completions` or `embeddings`. */
  readonly endpoint: string;
  /** The client's JSON body. */
  readonly body: Readonly<Record<string, unknown>>;
  /** `x-portkey-cache-namespace`; when absent the metadata partitions the cache instead. */
  readonly namespace?: string | undefined;
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
  /**
   * The request's strict OpenAI compliance (`x-portkey-strict-open-ai-compliance`, default true):
   * strict and non-strict answers differ (reasoning fields), so they never share an entry.
   */
  readonly strict?: boolean | undefined;
  /**
   * The client headers the target's (under a root cache: any target's) `forward_headers` pass to
   * the provider, by name: their values change the answer (a custom host answering per end user).
   * Absent when no target forwards any (the key is as it always was).
   */
  readonly forwarded?: Readonly<Record<string, string>> | undefined;
}

/** Everything that decides which cache entry a request may use at one leaf (a `cache` below the root). */
export interface CacheKeyInput extends RequestKeyInput {
  /** The leaf being tried: provider, credential identity, upstream location, `override_params`. */
  readonly leaf: PlanLeaf;
}

/** Everything that decides a request's entry under a config's root `cache` (decision 0005). */
export interface RootCacheKeyInput extends RequestKeyInput {
  /** The request's plan, credentials attached: its identity and the root's `override_params`. */
  readonly plan: ResolvedPlan;
}

/** One-shot SHA-256 (no `Hash` object per key; the same digest as `createHash`). */
const sha256 = (text: string): string => hash('sha256', text, 'hex');

function keyOf(partition: string, body: Readonly<Record<string, unknown>>): string {
  return `pk:c:${sha256(`${partition}\n${canonicalJson(body, IGNORED_BODY_FIELDS)}`)}`;
}

/**
 * Namespace (else metadata; both when `routedByMetadata`), `native` for a non-strict request, and
 * the forwarded headers' values hashed when there are some (keys without either stay as they were).
 */
function requestPartsOf(
  input: Omit<RequestKeyInput, 'body'>,
  strict: boolean,
  routedByMetadata = false,
): string[] {
  const metadata = `md:${canonicalJson(input.metadata ?? {})}`;
  const partition =
    input.namespace === undefined
      ? metadata
      : routedByMetadata
        ? `ns:${input.namespace}\n${metadata}`
        : `ns:${input.namespace}`;
  const parts = strict ? [partition] : [partition, 'native'];
  if (input.forwarded !== undefined) parts.push(`fwd:${sha256(canonicalJson(input.forwarded))}`);
  return parts;
}

/**
 * The cache key of one leaf for one request: SHA-256 over the tenant, the credential identity
 * (virtual key id, or a SHA-256 of the provider key — never the key itself), the provider and where
 * it is called (custom host, Azure resource and deployment), the endpoint, the body after
 * `override_params` as canonical JSON without `stream`, `stream_options` and `user`, the namespace
 * (else the metadata), and whether the answer is strict. Prefixed `pk:c:` so the keys are
 * recognisable in Redis.
 */
export function cacheKeyOf(input: CacheKeyInput): string {
  return keyOf(cachePartitionOf(input), bodyAfterOverrides(input));
}

/**
 * The key of a request under a config's root cache: SHA-256 over the tenant, the plan's identity
 * (`planCacheIdentity`, credentials included, hashed), the endpoint, whether the request is strict,
 * the namespace (else the metadata) and the body after the root's `override_params`.
 */
export function rootCacheKeyOf(input: RootCacheKeyInput): string {
  return keyOf(rootCachePartitionOf(input), withOverrides(input.body, input.plan.root.override_params));
}

/** The client's body with the leaf's `override_params` applied (what the provider is asked). */
export function bodyAfterOverrides(
  input: Pick<CacheKeyInput, 'body' | 'leaf'>,
): Readonly<Record<string, unknown>> {
  return withOverrides(input.body, input.leaf.override_params);
}

/** The body with `override_params` applied; the body itself when there are none (nothing to copy). */
export function withOverrides(
  body: Readonly<Record<string, unknown>>,
  overrides: Readonly<Record<string, unknown>> | undefined,
): Readonly<Record<string, unknown>> {
  return overrides === undefined || Object.keys(overrides).length === 0 ? body : { ...body, ...overrides };
}

/**
 * The credential part of a leaf's key, once per target object: targets belong to plans shared by
 * every request sending the same headers and config, and hashing the provider key is a SHA-256.
 */
const credentialOfTarget = new WeakMap<PlanLeaf['target'], string>();
function credentialOf(target: PlanLeaf['target']): string {
  let credential = credentialOfTarget.get(target);
  if (credential === undefined) {
    credential =
      typeof target.virtual_key === 'string'
        ? `vk:${target.virtual_key}`
        : typeof target.api_key === 'string'
          ? `key:${sha256(target.api_key)}`
          : 'none';
    credentialOfTarget.set(target, credential);
  }
  return credential;
}

/** Target fields the leaf's key already holds by themselves (credential identity, provider, location). */
const KEYED_TARGET_FIELDS: ReadonlySet<string> = new Set([
  'provider',
  'virtual_key',
  'api_key',
  'custom_host',
  'resource_name',
  'deployment_id',
  'api_version',
]);

/**
 * The part of a leaf's key for every other target field, once per target object: the provider's
 * other credentials (AWS keys and role, Azure Entra, Vertex service account, Oracle …) and options
 * (`openai_project`, `anthropic_beta`, `aws_region`, `vertex_region` …) as a SHA-256 of their
 * canonical JSON, so a client sending other (or wrong) AWS credentials, or another OpenAI project,
 * is never served an answer another's paid for. Empty for a target with none (its keys are as they
 * always were).
 */
const optionsOfTarget = new WeakMap<PlanLeaf['target'], string>();
function optionsOf(target: PlanLeaf['target']): string {
  let part = optionsOfTarget.get(target);
  if (part === undefined) {
    const options: Record<string, unknown> = {};
    let any = false;
    for (const field of Object.keys(target)) {
      if (KEYED_TARGET_FIELDS.has(field) || target[field] === undefined) continue;
      options[field] = target[field];
      any = true;
    }
    part = any ? `opt:${sha256(canonicalJson(options))}` : '';
    optionsOfTarget.set(target, part);
  }
  return part;
}

/**
 * The output hooks part of a leaf's key, once per leaf (leaves belong to shared plans): a hash of its
 * `after_request_hooks` as written (a saved guardrail by its slug), so an answer stored as one set of
 * output guardrails left it (redacted, say) is never served to a target with other output guardrails
 * (decision 0005). A leaf without output hooks has none (its keys are as they always were).
 */
const outputHooksOfLeaf = new WeakMap<PlanLeaf, string>();
function outputHooksOf(leaf: PlanLeaf): string {
  let part = outputHooksOfLeaf.get(leaf);
  if (part === undefined) {
    part = `out:${sha256(canonicalJson(leaf.after_request_hooks))}`;
    outputHooksOfLeaf.set(leaf, part);
  }
  return part;
}

/**
 * Everything of a leaf's key but the body: tenant, credential identity, provider and location,
 * endpoint, namespace (else metadata), strictness, the target's other credentials and options when
 * it has some, and the leaf's output hooks when it has some. The semantic cache never matches across
 * partitions.
 */
export function cachePartitionOf(input: Omit<CacheKeyInput, 'body'>): string {
  const leaf = input.leaf;
  const target = leaf.target;
  const credential = credentialOf(target);
  const location = [target.custom_host, target.resource_name, target.deployment_id, target.api_version]
    .map((part) => (typeof part === 'string' ? part : ''))
    .join('|');
  const strict = input.strict !== false && leaf.strict_open_ai_compliance !== false;
  const parts = [
    input.tenant,
    credential,
    String(target.provider ?? ''),
    location,
    input.endpoint,
    ...requestPartsOf(input, strict),
  ];
  const options = optionsOf(target);
  if (options !== '') parts.push(options);
  if ((leaf.after_request_hooks?.length ?? 0) > 0) parts.push(outputHooksOf(leaf));
  return parts.join('\n');
}

/**
 * The hashed identity of a plan, once per plan tree: plans are shared by every request sending the
 * same headers and config (see `resolveRequestPlanOnce`), and the identity depends on the root only.
 */
const identityOfRoot = new WeakMap<ResolvedPlan['root'], string>();
function planIdentityHash(plan: ResolvedPlan): string {
  let hash = identityOfRoot.get(plan.root);
  if (hash === undefined) {
    hash = sha256(planCacheIdentity(plan));
    identityOfRoot.set(plan.root, hash);
  }
  return hash;
}

/**
 * Whether a conditional group of the plan reads the metadata (`metadata.*` in its conditions), once
 * per plan tree: a root cache is looked up before the routing, so the metadata that picks the
 * target must be in its key even when a namespace stands for the metadata otherwise.
 */
const routedByMetadataOfRoot = new WeakMap<ResolvedPlan['root'], boolean>();
function routesByMetadata(root: ResolvedPlan['root']): boolean {
  let routed = routedByMetadataOfRoot.get(root);
  if (routed === undefined) {
    routed = planRoutesByMetadata(root);
    routedByMetadataOfRoot.set(root, routed);
  }
  return routed;
}

/**
 * Everything of a root key but the body; holds no secret (the plan's identity is hashed). With a
 * namespace, the metadata is in it as well when a conditional routing of the plan reads it.
 */
export function rootCachePartitionOf(input: Omit<RootCacheKeyInput, 'body'>): string {
  const routedByMetadata = input.namespace !== undefined && routesByMetadata(input.plan.root);
  return [
    input.tenant,
    `plan:${planIdentityHash(input.plan)}`,
    input.endpoint,
    ...requestPartsOf(input, input.strict !== false, routedByMetadata),
  ].join('\n');
}
