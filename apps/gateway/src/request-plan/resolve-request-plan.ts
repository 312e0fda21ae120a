import {
  applyVirtualKeyReferences,
  type Config,
  type ConfigWarning,
  checkCustomHost,
  configModelReference,
  type HeaderOverrides,
  PkError,
  type PlanLeaf,
  parseProviderReference,
  type ResolvedPlan,
  resolveConfig,
} from '@pk/config';
import type { ParsedRequestHeaders } from '@pk/headers';
import {
  errorCodeOfHeaderProblem,
  headerOverridesOf,
  virtualKeyMessageSubjectOf,
  virtualKeyParamOf,
} from '@pk/headers';
import {
  ANONYMOUS_TENANT,
  type CatalogSnapshot,
  HEADER_UNSAFE_CREDENTIAL,
  isHeaderSafeCredential,
} from '@pk/store';
import type { GatewayKey, GatewaySettings, VirtualKey } from '../settings/load-settings.js';
import { maskSlug } from '../settings/mask-slug.js';
import { virtualKeyTarget } from '../settings/virtual-key-target.js';
import { configIdentityOf } from './config-identity.js';
import type { ConfigParseCache } from './config-parse-cache.js';
import { configWarningLines } from './config-warning-lines.js';
import { refuseGatewayKeyCredentials } from './gateway-key-credentials.js';
import { isGatewayKeySecret } from './gateway-key-secret.js';
import { nonCanonicalIpv6Problem } from './ip-literal-spelling.js';
import { applyLegacyHeaders } from './legacy-headers.js';
import { mapPlanLeaves, planLeaves } from './map-plan-leaves.js';

/** Target fields that decide which host or account a request reaches (besides `custom_host`). */
const LOCATION_KEYS = [
  'resource_name',
  'azure_endpoint_name',
  'azure_foundry_url',
  'azure_region',
  'vertex_project_id',
  'vertex_region',
  'aws_region',
  'workers_ai_account_id',
  'huggingface_base_url',
  'snowflake_account',
  'oracle_region',
  'fireworks_account_id',
] as const;

/** Everything that decides a request's plan. */
export interface RequestPlanInput {
  readonly headers: ParsedRequestHeaders;
  /** The request body's `model`, when it has one (`@virtual-key/model` names a virtual key). */
  readonly model?: string | undefined;
  readonly settings: GatewaySettings;
  /** Saved configs and virtual keys: the settings file's and the store's, as of this request. */
  readonly catalog: CatalogSnapshot;
  readonly gatewayKey: GatewayKey | null;
  readonly authorizationIsGatewayKey: boolean;
  /** True for providers pk has an adapter for (the `@pk/providers` registry). */
  readonly isSupportedProvider: (provider: string) => boolean;
  /** Validated inline configs by header text (see {@link ConfigParseCache}). */
  readonly configCache: ConfigParseCache;
  /** The `x-portkey-config` header exactly as sent, the cache key of an inline config. */
  readonly rawConfigHeader?: string | undefined;
  /**
   * Problems of a guardrail list sent in `x-portkey-default-input-guardrails` /
   * `x-portkey-default-output-guardrails` (paths rooted at the header name).
   */
  readonly checkHeaderGuardrails?: (
    list: readonly unknown[],
    header: string,
  ) => readonly { path: string; message: string }[];
  /**
   * The provider to use when the request names none (no provider, virtual key or routing config):
   * `anthropic` on `/v1/messages`, where the Anthropic SDK sends its key as `x-api-key`.
   */
  readonly defaultProvider?: string | undefined;
}

/** The plan, plus the model to send upstream when the request named one as `@vk/model`. */
export interface RequestPlan {
  readonly plan: ResolvedPlan;
  /** The model without its `@virtual-key/` prefix, to replace the body's `model`. */
  readonly model?: string;
  /** Some target has hooks or guardrails (nothing else about hooks is computed when none has). */
  readonly hasHooks: boolean;
  /**
   * Virtual keys with `rate_limits` or `usage_limits` that targets use, with the plan paths using
   * them (absent when none has limits: the limits module then has nothing to do).
   */
  readonly limitedVirtualKeys?: ReadonlyMap<VirtualKey, readonly string[]>;
  /** Request headers the plan does not follow, one line each (`x-pk-warnings`); absent when none. */
  readonly headerWarnings?: readonly string[];
  /**
   * The config's warnings (unknown keys dropped, a `max_age` replaced …) as `x-pk-warnings` lines,
   * header-safe; absent when none. Their messages as given are the plan's `warnings` (the log's).
   */
  readonly configWarnings?: readonly string[];
}

/**
 * Decides which targets serve a request (the four ways of the headers document) and attaches stored
 * credentials: config header (JSON or saved id) → `@vk/model` → virtual key / `@slug` provider →
 * provider + key headers. Throws a {@link PkError} with the right code for every refusal.
 * Stored credentials never go to a host the caller chose (decision 0006, gateway issue).
 */
export function resolveRequestPlan(input: RequestPlanInput): RequestPlan {
  const { headers, settings } = input;
  const first = headers.problems[0];
  if (first !== undefined) {
    // The first problem decides the code: a config header that is JSON but not an object is an invalid config.
    throw new PkError(
      errorCodeOfHeaderProblem(first),
      headers.problems.map((problem) => problem.message).join('; '),
      { param: first.header },
    );
  }
  // A gateway key (this request's, another team's, an admin's, a revoked one) in `authorization`,
  // `x-api-key` or `api-key` is never the provider key: the next header is tried, and with none left
  // the request has no provider key, as if it had sent none. Hashed here, once per distinct headers
  // and catalog snapshot (the plan memo), not per request.
  const overrides: Record<string, unknown> = {
    ...headerOverridesOf(headers, {
      authorizationIsGatewayKey: input.authorizationIsGatewayKey,
      isGatewaySecret: (secret) => isGatewayKeySecret(input.catalog, secret),
    }),
  };
  const trustedHosts = settings.customHostTrust;
  const requestCustomHost = overrides.custom_host;
  if (typeof requestCustomHost === 'string') {
    const problem = checkCustomHost(requestCustomHost, { trustedHosts });
    if (problem)
      throw new PkError('PK_ERR_INVALID_CUSTOM_HOST', `x-portkey-custom-host: ${problem}`, {
        param: 'x-portkey-custom-host',
      });
  }

  const { config, warnings, saved } = configOf(input);
  const model = applyVirtualKeyReferences(overrides, input.model, { config });
  const configHasRouting = config !== undefined && configRoutesItself(config);
  if (!configHasRouting && overrides.provider === undefined && overrides.virtual_key === undefined) {
    if (input.defaultProvider !== undefined) overrides.provider = input.defaultProvider;
  }
  if (!configHasRouting && overrides.provider === undefined && overrides.virtual_key === undefined) {
    throw new PkError(
      'PK_ERR_MISSING_PROVIDER',
      'name a provider: x-portkey-provider with Authorization, x-portkey-virtual-key, or x-portkey-config',
      { param: 'x-portkey-provider' },
    );
  }
  const configId = configIdentityOf({
    config,
    savedId: saved,
    keyId: input.gatewayKey?.id ?? ANONYMOUS_TENANT,
    tenant: input.gatewayKey?.tenant ?? ANONYMOUS_TENANT,
  });
  // Portkey's legacy headers: `x-portkey-cache` may give the plan a root cache.
  const resolved = applyLegacyHeaders(
    resolveConfig(config ?? EMPTY_CONFIG, overrides as HeaderOverrides, { warnings, configId }),
    headers.options,
  );
  const leaves = planLeaves(resolved.plan.root);
  // No gateway key in any credential field, from a header or a config (decision 0006).
  refuseGatewayKeyCredentials(overrides, leaves, (secret) => isGatewayKeySecret(input.catalog, secret));
  for (const leaf of leaves) {
    const customHost = leaf.target.custom_host;
    const spelling = typeof customHost === 'string' ? nonCanonicalIpv6Problem(customHost) : undefined;
    if (spelling) {
      throw new PkError('PK_ERR_INVALID_CUSTOM_HOST', `${leaf.path}.custom_host: ${spelling}`, {
        param: typeof requestCustomHost === 'string' ? 'x-portkey-custom-host' : 'x-portkey-config',
      });
    }
    // A caller's key the provider call could not carry: a 400 here, not a 502 from the transport.
    const apiKey = leaf.target.api_key;
    if (typeof apiKey === 'string' && !isHeaderSafeCredential(apiKey)) {
      const inConfig = config !== undefined && saved === undefined;
      throw new PkError(
        inConfig ? 'PK_ERR_INVALID_CONFIG' : 'PK_ERR_INVALID_HEADER',
        `${inConfig ? `${leaf.path}.api_key` : 'the provider key'}: ${HEADER_UNSAFE_CREDENTIAL}`,
        { param: inConfig ? 'x-portkey-config' : 'authorization' },
      );
    }
  }
  const hasHooks = leaves.some(
    (leaf) => (leaf.before_request_hooks?.length ?? 0) + (leaf.after_request_hooks?.length ?? 0) > 0,
  );
  if (hasHooks) checkHeaderGuardrails(input, overrides);
  const callerChoseHost = (leaf: PlanLeaf): boolean =>
    typeof requestCustomHost === 'string' || (saved === undefined && leaf.target.custom_host !== undefined);
  let limitedVirtualKeys: Map<VirtualKey, string[]> | undefined;
  const onLimitedKey = (virtualKey: VirtualKey, path: string): void => {
    limitedVirtualKeys ??= new Map();
    const paths = limitedVirtualKeys.get(virtualKey);
    if (paths) paths.push(path);
    else limitedVirtualKeys.set(virtualKey, [path]);
  };
  const root = mapPlanLeaves(resolved.plan.root, (leaf) =>
    attachCredentials(leaf, {
      ...input,
      callerChoseHost: callerChoseHost(leaf),
      savedConfig: saved !== undefined,
      onLimitedKey,
    }),
  );
  // From the config cache's (or the saved config's) warnings: nothing is parsed again.
  const configLines = configWarningLines(warnings);
  return {
    plan: { ...resolved.plan, root },
    hasHooks,
    ...(model === undefined ? {} : { model }),
    ...(limitedVirtualKeys ? { limitedVirtualKeys } : {}),
    ...(resolved.warnings === undefined ? {} : { headerWarnings: resolved.warnings }),
    ...(configLines === undefined ? {} : { configWarnings: configLines }),
  };
}

/**
 * Whether a config names where its requests go (`provider`, `targets`, a virtual key, or an
 * `override_params.model` written `@slug/model`): such a config wins over the routing headers
 * (decision 0006); one with none of them (cache, retry …) takes its provider and credentials from the
 * headers.
 */
export function configRoutesItself(config: Config): boolean {
  return (
    'provider' in config ||
    'targets' in config ||
    'virtual_key' in config ||
    'virtualKey' in config ||
    configModelReference(config) !== undefined
  );
}

const GUARDRAIL_HEADERS = [
  ['default_input_guardrails', 'x-portkey-default-input-guardrails'],
  ['default_output_guardrails', 'x-portkey-default-output-guardrails'],
] as const;

/** Guardrails sent in headers are checked like a config's: a 400 naming the header and the path. */
function checkHeaderGuardrails(input: RequestPlanInput, overrides: Readonly<Record<string, unknown>>): void {
  if (input.checkHeaderGuardrails === undefined) return;
  for (const [key, header] of GUARDRAIL_HEADERS) {
    const list = overrides[key];
    if (!Array.isArray(list)) continue;
    const issues = input.checkHeaderGuardrails(list, header);
    if (issues.length > 0) {
      throw new PkError(
        'PK_ERR_INVALID_HEADER',
        issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '),
        { param: header },
      );
    }
  }
}

const EMPTY_CONFIG: Config = {};

/** The validated config of the request: inline (parsed once per distinct text) or saved (parsed when loaded). */
function configOf(input: RequestPlanInput): {
  config?: Config;
  warnings: readonly ConfigWarning[];
  saved?: string;
} {
  const value = input.headers.options.config;
  if (value === undefined) return { warnings: [] };
  if (typeof value !== 'string') {
    const parsed = input.configCache.parse(input.rawConfigHeader ?? JSON.stringify(value), value);
    if (!parsed.ok) {
      throw new PkError(
        'PK_ERR_INVALID_CONFIG',
        `x-portkey-config: ${parsed.issues.map((issue) => issue.message).join('; ')}`,
        {
          param: 'x-portkey-config',
        },
      );
    }
    return { config: parsed.config, warnings: parsed.warnings };
  }
  // A key limited to some configs is refused any other before the catalog is read: the same answer
  // for a config that exists and one that does not, so it cannot learn the names of others'.
  const allowed = input.gatewayKey?.configs;
  if (allowed && !allowed.has(value)) {
    throw new PkError(
      'PK_ERR_FORBIDDEN',
      'x-portkey-config: this gateway key may not use the saved config it names (not among the key’s configs)',
      { param: 'x-portkey-config' },
    );
  }
  const stored = input.catalog.configs.get(value);
  if (!stored)
    // The id is not repeated: a credential pasted into the wrong header must not come back.
    throw new PkError('PK_ERR_CONFIG_NOT_FOUND', 'x-portkey-config: no saved config has this id', {
      param: 'x-portkey-config',
    });
  return { config: stored.config, warnings: stored.warnings, saved: value };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return '';
  }
}

function attachCredentials(
  leaf: PlanLeaf,
  context: RequestPlanInput & {
    readonly callerChoseHost: boolean;
    readonly savedConfig: boolean;
    readonly onLimitedKey: (virtualKey: VirtualKey, path: string) => void;
  },
): PlanLeaf {
  const virtualKeyId = leaf.target.virtual_key ?? providerSlug(leaf.target.provider);
  if (virtualKeyId === undefined) {
    const provider = leaf.target.provider;
    const fromHeader =
      provider !== undefined && headerOverridesOf(context.headers, context).provider === provider;
    checkProvider(provider, context, fromHeader ? 'x-portkey-provider' : leaf.path);
    return leaf;
  }
  const allowed = context.gatewayKey?.virtualKeys;
  if (allowed && !allowed.has(virtualKeyId)) {
    // Before the catalog is read, and without the id: a key limited to some virtual keys gets the
    // same answer for one that exists, has expired or does not exist, so it cannot learn others' names.
    const param = virtualKeyParam(virtualKeyId, leaf, context);
    throw new PkError(
      'PK_ERR_FORBIDDEN',
      `${virtualKeyMessageSubjectOf(param, leaf)}: this gateway key may not use the virtual key it names ` +
        '(not among the key’s virtual_keys)',
      { param },
    );
  }
  const virtualKey = context.catalog.virtualKeys.get(virtualKeyId);
  if (!virtualKey) {
    const param = virtualKeyParam(virtualKeyId, leaf, context);
    // The message names where the id came from: the header or body field, else the config's target.
    const source = virtualKeyMessageSubjectOf(param, leaf);
    if (context.catalog.expiredVirtualKeys.has(virtualKeyId)) {
      throw new PkError(
        'PK_ERR_VIRTUAL_KEY_EXPIRED',
        `${source}: virtual key ${maskSlug(virtualKeyId)} has expired`,
        { param },
      );
    }
    if (context.catalog.disabledVirtualKeys.has(virtualKeyId)) {
      throw new PkError(
        'PK_ERR_VIRTUAL_KEY_DISABLED',
        `${source}: virtual key ${maskSlug(virtualKeyId)} is disabled; an admin can enable it again`,
        { param },
      );
    }
    if (context.catalog.unreadableVirtualKeys.has(virtualKeyId)) {
      // The master key's id and the cause stay in the server log (`is left out: …`).
      throw new PkError(
        'PK_ERR_VIRTUAL_KEY_UNREADABLE',
        `${leaf.path}: this gateway cannot decrypt virtual key ${maskSlug(virtualKeyId)}: it was encrypted ` +
          'under a master key this gateway’s PK_MASTER_KEY lacks; the operator must add that key (newest first) and restart it',
        { param: virtualKeyParam(virtualKeyId, leaf, context) },
      );
    }
    // The id is not repeated: a provider key pasted where a virtual key id goes must not come back.
    throw new PkError('PK_ERR_VIRTUAL_KEY_NOT_FOUND', `${source}: no virtual key has this id`, { param });
  }
  checkProvider(virtualKey.provider, context, leaf.path);
  if (virtualKey.rateLimits !== undefined || virtualKey.usageLimits !== undefined)
    context.onLimitedKey(virtualKey, leaf.path);
  const customHost = leaf.target.custom_host;
  if (
    customHost !== undefined &&
    context.callerChoseHost &&
    !hostAllowed(customHost, virtualKey, context.settings)
  ) {
    throw new PkError(
      'PK_ERR_CUSTOM_HOST_NOT_ALLOWED',
      `${leaf.path}: the virtual key "${virtualKeyId}" may not be sent to ${hostOf(customHost) || 'that host'}; ` +
        'trust the host in the settings or list it in the key’s allowed_hosts',
      { param: 'x-portkey-custom-host' },
    );
  }
  // A key sent by the caller never rides along with stored credentials, and neither does a location
  // the caller chose (headers or an inline config): with a stored credential, where it is sent is
  // the virtual key's (or a saved config's) business only.
  const target: Record<string, unknown> = { ...leaf.target };
  delete target.api_key;
  if (!context.savedConfig) for (const key of LOCATION_KEYS) delete target[key];
  // `virtual_key` names the stored credential however the config named it (`virtual_key` or a
  // `@slug` provider): the log's virtual key, the cache's credential identity and a breaker's target.
  return {
    ...leaf,
    target: { ...target, ...virtualKeyTarget(virtualKey), virtual_key: virtualKeyId },
  };
}

/** Where the request named a virtual key it cannot use (shared with the SDK's in-process mode). */
function virtualKeyParam(virtualKeyId: string, leaf: PlanLeaf, input: RequestPlanInput): string {
  return virtualKeyParamOf({
    virtualKeyId,
    leaf,
    headers: input.headers,
    model: input.model,
    authorizationIsGatewayKey: input.authorizationIsGatewayKey,
  });
}

function providerSlug(provider: string | undefined): string | undefined {
  if (provider === undefined) return undefined;
  const reference = parseProviderReference(provider);
  return reference.kind === 'virtual-key' ? reference.virtualKeyId : undefined;
}

/** Checks a target's provider; `path` (a config path, or `x-portkey-provider`) starts each message. */
function checkProvider(provider: string | undefined, context: RequestPlanInput, path: string): void {
  if (provider === undefined) {
    throw new PkError('PK_ERR_MISSING_PROVIDER', `${path}: the target names no provider`, {
      param: 'x-portkey-config',
    });
  }
  if (parseProviderReference(provider).kind === 'unknown') {
    throw new PkError('PK_ERR_INVALID_PROVIDER', `${path}: the provider is not a Portkey provider id`, {
      param: 'x-portkey-provider',
    });
  }
  if (!context.isSupportedProvider(provider)) {
    throw new PkError(
      'PK_ERR_PROVIDER_NOT_SUPPORTED',
      `${path}: pk has no adapter for the provider "${provider}" yet`,
      {
        param: 'x-portkey-provider',
      },
    );
  }
}

function hostAllowed(customHost: string, virtualKey: VirtualKey, settings: GatewaySettings): boolean {
  const host = hostOf(customHost);
  const hostname = host.replace(/:\d+$/, '');
  const listed = [...settings.trustedCustomHosts, ...virtualKey.allowedHosts].map((entry) =>
    entry.toLowerCase(),
  );
  return listed.includes(host) || listed.includes(hostname);
}
