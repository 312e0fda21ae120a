import {
  checkCustomHost,
  type HeaderOverrides,
  PkError,
  type PlanLeaf,
  parseAndResolveConfig,
  parseModelReference,
  parseProviderReference,
  type ResolvedPlan,
} from '@pk/config';
import type { ParsedRequestHeaders } from '@pk/headers';
import type { GatewayKey, GatewaySettings, VirtualKey } from '../settings/load-settings.js';
import { Secret } from '../settings/secret.js';
import { headerOverridesOf } from './header-overrides.js';
import { mapPlanLeaves, planLeaves } from './map-plan-leaves.js';

/**
 * Loopback in its canonical spellings only: a local model server is a normal custom host, but never
 * trusted for stored credentials (that needs the settings' `trusted_custom_hosts` or `allowed_hosts`).
 */
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '::1'];

/** Everything that decides a request's plan. */
export interface RequestPlanInput {
  readonly headers: ParsedRequestHeaders;
  /** The request body's `model`, when it has one (`@virtual-key/model` names a virtual key). */
  readonly model?: string | undefined;
  readonly settings: GatewaySettings;
  readonly gatewayKey: GatewayKey | null;
  readonly authorizationIsGatewayKey: boolean;
  /** True for providers pk has an adapter for (the `@pk/providers` registry). */
  readonly isSupportedProvider: (provider: string) => boolean;
}

/** The plan, plus the model to send upstream when the request named one as `@vk/model`. */
export interface RequestPlan {
  readonly plan: ResolvedPlan;
  /** The model without its `@virtual-key/` prefix, to replace the body's `model`. */
  readonly model?: string;
}

/**
 * Decides which targets serve a request (the four ways of the headers document) and attaches stored
 * credentials: config header (JSON or saved id) → `@vk/model` → virtual key / `@slug` provider →
 * provider + key headers. Throws a {@link PkError} with the right code for every refusal.
 * Stored credentials never go to a host the caller chose (decision 0006, gateway issue).
 */
export function resolveRequestPlan(input: RequestPlanInput): RequestPlan {
  const { headers, settings } = input;
  if (headers.problems.length > 0) {
    const first = headers.problems[0];
    throw new PkError(
      'PK_ERR_INVALID_HEADER',
      headers.problems.map((problem) => problem.message).join('; '),
      {
        param: first?.header ?? null,
      },
    );
  }
  const overrides: Record<string, unknown> = { ...headerOverridesOf(headers, input) };
  const trustedHosts = [...LOOPBACK_HOSTS, ...settings.trustedCustomHosts];
  const requestCustomHost = overrides.custom_host;
  if (typeof requestCustomHost === 'string') {
    const problem = checkCustomHost(requestCustomHost, { trustedHosts });
    if (problem)
      throw new PkError('PK_ERR_INVALID_CUSTOM_HOST', `x-portkey-custom-host: ${problem}`, {
        param: 'x-portkey-custom-host',
      });
  }

  const { config, saved } = configOf(input);
  let model: string | undefined;
  const modelReference = input.model === undefined ? undefined : parseModelReference(input.model);
  if (modelReference) {
    model = modelReference.model;
    overrides.virtual_key ??= modelReference.virtualKeyId;
  }
  if (typeof overrides.provider === 'string') {
    const reference = parseProviderReference(overrides.provider);
    if (reference.kind === 'virtual-key') {
      overrides.virtual_key = reference.virtualKeyId;
      delete overrides.provider;
    }
  }
  const configHasRouting =
    config !== undefined &&
    ('provider' in config || 'targets' in config || 'virtual_key' in config || 'virtualKey' in config);
  if (!configHasRouting && overrides.provider === undefined && overrides.virtual_key === undefined) {
    throw new PkError(
      'PK_ERR_MISSING_PROVIDER',
      'name a provider: x-portkey-provider with Authorization, x-portkey-virtual-key, or x-portkey-config',
      { param: 'x-portkey-provider' },
    );
  }
  const resolved = parseAndResolveConfig(config ?? {}, overrides as HeaderOverrides, {
    trustedCustomHosts: trustedHosts,
  });
  if (!resolved.ok) {
    const source = saved ? `saved config "${saved}"` : 'x-portkey-config';
    throw new PkError(
      'PK_ERR_INVALID_CONFIG',
      `${source}: ${resolved.issues.map((issue) => issue.message).join('; ')}`,
      {
        param: 'x-portkey-config',
      },
    );
  }
  const leaves = planLeaves(resolved.plan.root);
  if (
    leaves.some(
      (leaf) => (leaf.before_request_hooks?.length ?? 0) + (leaf.after_request_hooks?.length ?? 0) > 0,
    )
  ) {
    throw new PkError(
      'PK_ERR_HOOKS_NOT_SUPPORTED',
      'hooks and guardrails are not supported by pk yet; remove them from the config',
      {
        param: 'x-portkey-config',
      },
    );
  }
  const callerChoseHost = (leaf: PlanLeaf): boolean =>
    typeof requestCustomHost === 'string' || (saved === undefined && leaf.target.custom_host !== undefined);
  const root = mapPlanLeaves(resolved.plan.root, (leaf) =>
    attachCredentials(leaf, { ...input, callerChoseHost: callerChoseHost(leaf) }),
  );
  return { plan: { ...resolved.plan, root }, ...(model === undefined ? {} : { model }) };
}

function configOf(input: RequestPlanInput): { config?: Record<string, unknown>; saved?: string } {
  const value = input.headers.options.config;
  if (value === undefined) return {};
  if (typeof value !== 'string') return { config: value };
  const stored = input.settings.configs.get(value);
  if (!stored)
    throw new PkError('PK_ERR_CONFIG_NOT_FOUND', `no saved config has the id "${value}"`, {
      param: 'x-portkey-config',
    });
  const allowed = input.gatewayKey?.configs;
  if (allowed && !allowed.has(value)) {
    throw new PkError('PK_ERR_FORBIDDEN', `this gateway key may not use the saved config "${value}"`, {
      param: 'x-portkey-config',
    });
  }
  return { config: { ...stored }, saved: value };
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
  context: RequestPlanInput & { readonly callerChoseHost: boolean },
): PlanLeaf {
  const virtualKeyId = leaf.target.virtual_key ?? providerSlug(leaf.target.provider);
  if (virtualKeyId === undefined) {
    checkProvider(leaf.target.provider, context, leaf.path);
    return leaf;
  }
  const virtualKey = context.settings.virtualKeys.get(virtualKeyId);
  if (!virtualKey) {
    throw new PkError(
      'PK_ERR_VIRTUAL_KEY_NOT_FOUND',
      `${leaf.path}: no virtual key has the id "${virtualKeyId}"`,
      {
        param: 'x-portkey-virtual-key',
      },
    );
  }
  const allowed = context.gatewayKey?.virtualKeys;
  if (allowed && !allowed.has(virtualKeyId)) {
    throw new PkError('PK_ERR_FORBIDDEN', `this gateway key may not use the virtual key "${virtualKeyId}"`, {
      param: 'x-portkey-virtual-key',
    });
  }
  checkProvider(virtualKey.provider, context, leaf.path);
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
  // A key sent by the caller never rides along with stored credentials.
  const { api_key: _callerKey, ...target } = leaf.target;
  return { ...leaf, target: { ...target, ...credentialsOf(virtualKey), provider: virtualKey.provider } };
}

function providerSlug(provider: string | undefined): string | undefined {
  if (provider === undefined) return undefined;
  const reference = parseProviderReference(provider);
  return reference.kind === 'virtual-key' ? reference.virtualKeyId : undefined;
}

function checkProvider(provider: string | undefined, context: RequestPlanInput, path: string): void {
  if (provider === undefined) {
    throw new PkError('PK_ERR_MISSING_PROVIDER', `${path}: the target names no provider`, {
      param: 'x-portkey-config',
    });
  }
  if (parseProviderReference(provider).kind === 'unknown') {
    throw new PkError('PK_ERR_INVALID_PROVIDER', `${path}: "${provider}" is not a provider id`, {
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

/** The virtual key's credentials and options, revealed for the provider call; they beat request headers. */
function credentialsOf(virtualKey: VirtualKey): Record<string, string | number | boolean> {
  const credentials: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(virtualKey.options)) {
    credentials[name] = value instanceof Secret ? value.reveal() : value;
  }
  if (virtualKey.apiKey) credentials.api_key = virtualKey.apiKey.reveal();
  return credentials;
}
