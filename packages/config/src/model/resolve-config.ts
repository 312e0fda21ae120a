import type { ConfigWarning, PlanLeaf, PlanNode, ResolvedPlan } from '../plan/plan.js';
import { type CacheConfig, normalizeCache } from '../schema/cache.js';
import type { CircuitBreakerConfig } from '../schema/circuit-breaker.js';
import type { HookObject } from '../schema/hooks.js';
import { PROVIDER_OPTION_KEYS } from '../schema/provider-options.js';
import { normalizeRetry, type RetryConfig } from '../schema/retry.js';
import type { Config } from '../schema/target.js';
import { formatConfigPath, type PathSegment } from './config-path.js';
import type { ConfigNode } from './config-walk.js';
import { collectConfigWarnings } from './config-warnings.js';
import type { HeaderOverrides } from './header-overrides.js';
import { convertHookShorthand } from './hook-shorthand.js';
import { canonicalJson, stableHash } from './stable-hash.js';
import { resolveLeafModelReference } from './virtual-key-references.js';

/** What a node hands down to its children (behaviour reference §3.5). */
interface Inherited {
  readonly override_params: Readonly<Record<string, unknown>>;
  /** The path of the node whose `override_params.model` is in force (`config.targets[0].override_params.model`). */
  readonly model_path?: string | undefined;
  readonly retry?: RetryConfig | undefined;
  readonly cache?: CacheConfig | undefined;
  readonly request_timeout?: number | undefined;
  readonly custom_host?: string | undefined;
  readonly forward_headers?: readonly string[] | undefined;
  readonly strict_open_ai_compliance?: boolean | undefined;
  readonly before_request_hooks?: readonly HookObject[] | undefined;
  readonly after_request_hooks?: readonly HookObject[] | undefined;
  readonly cb_config?: CircuitBreakerConfig | undefined;
}

/** Settings fixed once per request: header overrides and the root's default guardrails as hooks. */
interface RequestWide {
  readonly headers: HeaderOverrides;
  readonly headerCredentials: boolean;
  readonly defaultBefore: readonly HookObject[];
  readonly defaultAfter: readonly HookObject[];
}

const CREDENTIAL_KEYS = ['provider', 'api_key', 'virtual_key', ...PROVIDER_OPTION_KEYS];

/** Own hooks of a node: raw hooks + guardrail shorthand + mutator shorthand, or `undefined` when it sets none. */
function ownHooks(node: ConfigNode, path: string, direction: 'input' | 'output'): HookObject[] | undefined {
  const raw = direction === 'input' ? node.before_request_hooks : node.after_request_hooks;
  const guardrails = direction === 'input' ? node.input_guardrails : node.output_guardrails;
  const mutators = direction === 'input' ? node.input_mutators : node.output_mutators;
  if (raw === undefined && guardrails === undefined && mutators === undefined) return undefined;
  return [
    ...(raw ?? []),
    ...convertHookShorthand(guardrails ?? [], {
      direction,
      type: 'guardrail',
      path: `${path}.${direction}_guardrails`,
    }),
    ...convertHookShorthand(mutators ?? [], {
      direction,
      type: 'mutator',
      path: `${path}.${direction}_mutators`,
    }),
  ];
}

function inherit(node: ConfigNode, path: string, parent: Inherited): Inherited {
  return {
    override_params: { ...parent.override_params, ...node.override_params },
    model_path:
      node.override_params?.model === undefined ? parent.model_path : `${path}.override_params.model`,
    retry: node.retry ?? parent.retry,
    cache: node.cache ?? parent.cache,
    request_timeout: node.request_timeout ?? parent.request_timeout,
    custom_host: node.custom_host ?? parent.custom_host,
    forward_headers: node.forward_headers ?? parent.forward_headers,
    strict_open_ai_compliance:
      typeof node.strict_open_ai_compliance === 'boolean'
        ? node.strict_open_ai_compliance
        : parent.strict_open_ai_compliance,
    before_request_hooks: ownHooks(node, path, 'input') ?? parent.before_request_hooks,
    after_request_hooks: ownHooks(node, path, 'output') ?? parent.after_request_hooks,
    cb_config: node.strategy?.cb_config ?? node.cb_config ?? parent.cb_config,
  };
}

function leafTarget(node: ConfigNode, customHost: string | undefined, wide: RequestWide): PlanLeaf['target'] {
  const target: Record<string, unknown> = {};
  const source: Readonly<Record<string, unknown>> = node;
  const fromHeaders: Readonly<Record<string, unknown>> = wide.headerCredentials ? wide.headers : {};
  for (const key of CREDENTIAL_KEYS) {
    const value = source[key] ?? fromHeaders[key];
    if (value !== undefined) target[key] = value;
  }
  if (customHost !== undefined) target.custom_host = customHost;
  return target;
}

function resolveLeaf(node: ConfigNode, path: string, settings: Inherited, wide: RequestWide): PlanLeaf {
  const { headers } = wide;
  const customHost = headers.custom_host ?? settings.custom_host;
  const requestTimeout = headers.request_timeout ?? settings.request_timeout;
  const forwardHeaders = headers.forward_headers ?? settings.forward_headers;
  const before = [...(settings.before_request_hooks ?? []), ...wide.defaultBefore];
  const after = [...(settings.after_request_hooks ?? []), ...wide.defaultAfter];
  // A model written `@slug/model` names the target's virtual key, as the body's does.
  const { target, override_params, virtual_key_path } = resolveLeafModelReference(
    { target: leafTarget(node, customHost, wide), override_params: settings.override_params },
    settings.model_path,
  );
  return {
    kind: 'leaf',
    path,
    ...(node.name === undefined ? {} : { name: node.name }),
    weight: node.weight ?? 1,
    ...(settings.cb_config === undefined ? {} : { cb_config: settings.cb_config }),
    target,
    override_params,
    ...(virtual_key_path === undefined ? {} : { virtual_key_path }),
    retry: normalizeRetry(settings.retry),
    ...(settings.cache === undefined ? {} : { cache: normalizeCache(settings.cache).policy }),
    ...(requestTimeout === undefined ? {} : { request_timeout: requestTimeout }),
    ...(forwardHeaders === undefined ? {} : { forward_headers: forwardHeaders }),
    ...(settings.strict_open_ai_compliance === undefined
      ? {}
      : { strict_open_ai_compliance: settings.strict_open_ai_compliance }),
    ...(before.length === 0 ? {} : { before_request_hooks: before }),
    ...(after.length === 0 ? {} : { after_request_hooks: after }),
  };
}

function resolveNode(
  node: ConfigNode,
  segments: readonly PathSegment[],
  parent: Inherited,
  wide: RequestWide,
  cacheAtPlan = false,
): PlanNode {
  const path = formatConfigPath(segments);
  const inherited = inherit(node, path, parent);
  const settings = cacheAtPlan ? { ...inherited, cache: undefined } : inherited;
  if (node.strategy === undefined || node.targets === undefined)
    return resolveLeaf(node, path, settings, wide);
  return {
    kind: 'group',
    path,
    ...(node.name === undefined ? {} : { name: node.name }),
    weight: node.weight ?? 1,
    ...(Object.keys(settings.override_params).length === 0
      ? {}
      : { override_params: settings.override_params }),
    ...(settings.cb_config === undefined ? {} : { cb_config: settings.cb_config }),
    strategy: node.strategy,
    targets: node.targets.map((child, index) =>
      resolveNode(child, [...segments, 'targets', index], settings, wide),
    ),
  };
}

/** The id that keys circuit breakers: the config's `id`, else `cfg_` + a stable hash of the config. */
export function configIdOf(config: Config): string {
  return config.id ?? `cfg_${stableHash(canonicalJson(config))}`;
}

/** Options of {@link resolveConfig}. */
export interface ResolveConfigOptions {
  /** Warnings to carry in the plan instead of recomputing them (`parseConfig`'s, which include unknown keys). */
  readonly warnings?: readonly ConfigWarning[] | undefined;
  /**
   * The plan's `config_id` (what keys its circuit breakers), when the caller knows who the config
   * belongs to: a gateway passes a saved config's stored id, or the tenant plus a hash of an inline
   * config, so a client cannot pick another config's breakers by writing its `id`. Default
   * {@link configIdOf}.
   */
  readonly configId?: string | undefined;
}

/**
 * Turns a valid config into the plan the engine runs (pure). Inheritance follows Portkey's
 * `tryTargetsRecursively` (behaviour reference §3.5): `override_params` shallow-merged parent →
 * child (child wins); `retry`, `cache` and `cb_config` replaced wholesale by a child's own (a `cache` at the root
 * is the plan's `cache`, looked up once before the strategy, and not inherited);
 * `request_timeout`, `custom_host`, `forward_headers` inherited unless set;
 * `strict_open_ai_compliance` inherited when boolean; hooks (raw + shorthand) of a child replace its
 * parent's; the root's default guardrails are appended to every leaf. Header overrides (§3.6):
 * `request_timeout`, `custom_host`, `forward_headers` and default guardrails beat the config;
 * `provider`, `api_key`, `virtual_key` and provider options fill in only when the config has neither
 * `provider` nor `targets`. A leaf's `override_params.model` written `@slug/model` is resolved as the
 * body's: the bare model, and `slug` as the virtual key when the target names none itself.
 */
export function resolveConfig(
  config: Config,
  headerOverrides: HeaderOverrides = {},
  options: ResolveConfigOptions = {},
): ResolvedPlan {
  const inputDefaults = headerOverrides.default_input_guardrails ?? config.default_input_guardrails ?? [];
  const outputDefaults = headerOverrides.default_output_guardrails ?? config.default_output_guardrails ?? [];
  const wide: RequestWide = {
    headers: headerOverrides,
    headerCredentials: config.provider === undefined && config.targets === undefined,
    defaultBefore: convertHookShorthand(inputDefaults, {
      direction: 'input',
      type: 'guardrail',
      path: 'config.default_input_guardrails',
    }),
    defaultAfter: convertHookShorthand(outputDefaults, {
      direction: 'output',
      type: 'guardrail',
      path: 'config.default_output_guardrails',
    }),
  };
  // A root cache is looked up once before the strategy runs (decision 0005): the leaves do not
  // inherit it. Its policy is the plan's, whether the root is a group or a single target.
  const rootCache = config.cache === undefined ? undefined : normalizeCache(config.cache).policy;
  const root = resolveNode(config, [], { override_params: {} }, wide, rootCache !== undefined);
  return {
    root,
    config_id: options.configId ?? configIdOf(config),
    ...(config.request_deadline === undefined ? {} : { request_deadline: config.request_deadline }),
    ...(rootCache === undefined ? {} : { cache: rootCache }),
    warnings: options.warnings ?? collectConfigWarnings(config),
  };
}
