import {
  applyVirtualKeyReferences,
  type Config,
  configModelReference,
  type HeaderOverrides,
  PkError,
  type PlanLeaf,
  type PlanNode,
  parseConfig,
  parseProviderReference,
  type ResolvedPlan,
  resolveConfig,
} from '@pk/config';
import type { ParsedRequestHeaders } from '@pk/headers';
import { headerOverridesOf, virtualKeyMessageSubjectOf, virtualKeyParamOf } from '@pk/headers';
import type { InProcessVirtualKey } from './in-process-setup.js';
import { customHostsOf } from './trusted-hosts.js';

/** Everything that decides an in-process request's plan. */
export interface InProcessPlanInput {
  readonly headers: ParsedRequestHeaders;
  /** The body's `model` (`@virtual-key/model` names a virtual key). */
  readonly model?: string | undefined;
  readonly virtualKeys: ReadonlyMap<string, InProcessVirtualKey>;
  readonly configs: ReadonlyMap<string, Config>;
  /** True for providers `@pk/providers` has an adapter for. */
  readonly isSupportedProvider: (provider: string) => boolean;
}

/** The plan, and the model to send when the request named `@vk/model`. */
export interface InProcessPlan {
  readonly plan: ResolvedPlan;
  readonly model?: string;
}

const EMPTY_CONFIG: Config = {};

/**
 * The gateway's plan resolution, with virtual keys and saved configs from code: config (object or
 * saved id) → `@vk/model` → virtual key / `@slug` provider → provider + key. Throws `PkError`s with
 * the gateway's codes.
 */
export function resolveInProcessPlan(input: InProcessPlanInput): InProcessPlan {
  const { headers } = input;
  const problem = headers.problems[0];
  if (problem !== undefined) {
    throw new PkError('PK_ERR_INVALID_HEADER', headers.problems.map((entry) => entry.message).join('; '), {
      param: problem.header,
    });
  }
  const overrides: Record<string, unknown> = { ...headerOverridesOf(headers) };
  const config = configOf(input);
  const model = applyVirtualKeyReferences(overrides, input.model, { config });
  const configRoutes =
    config !== undefined &&
    ('provider' in config ||
      'targets' in config ||
      'virtual_key' in config ||
      configModelReference(config) !== undefined);
  if (!configRoutes && overrides.provider === undefined && overrides.virtual_key === undefined) {
    throw new PkError(
      'PK_ERR_MISSING_PROVIDER',
      'name a provider: provider with Authorization, virtualKey, or config',
      {
        param: 'x-portkey-provider',
      },
    );
  }
  const resolved = resolveConfig(config ?? EMPTY_CONFIG, overrides as HeaderOverrides);
  const root = mapLeaves(resolved.root, (leaf) => attachCredentials(leaf, input));
  return { plan: { ...resolved, root }, ...(model === undefined ? {} : { model }) };
}

function configOf(input: InProcessPlanInput): Config | undefined {
  const value = input.headers.options.config;
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    const saved = input.configs.get(value);
    if (saved === undefined) {
      throw new PkError('PK_ERR_CONFIG_NOT_FOUND', 'x-portkey-config: no saved config has this id', {
        param: 'x-portkey-config',
      });
    }
    return saved;
  }
  const parsed = parseConfig(value, { trustedCustomHosts: customHostsOf(value) });
  if (!parsed.ok) {
    const issues = parsed.issues.map((issue) => issue.message).join('; ');
    throw new PkError('PK_ERR_INVALID_CONFIG', `x-portkey-config: ${issues}`, { param: 'x-portkey-config' });
  }
  return parsed.config;
}

function mapLeaves(node: PlanNode, map: (leaf: PlanLeaf) => PlanLeaf): PlanNode {
  if (node.kind === 'leaf') return map(node);
  return { ...node, targets: node.targets.map((child) => mapLeaves(child, map)) };
}

function attachCredentials(leaf: PlanLeaf, input: InProcessPlanInput): PlanLeaf {
  if ((leaf.before_request_hooks?.length ?? 0) + (leaf.after_request_hooks?.length ?? 0) > 0) {
    // Guardrails need the gateway's settings (operator guardrails, webhook secrets, the network
    // guard); the in-process mode refuses them rather than sending an unchecked request.
    throw new PkError(
      'PK_ERR_HOOKS_NOT_SUPPORTED',
      `${leaf.path}: hooks and guardrails run in the pk gateway; the SDK's in-process mode does not run them (send this request through a gateway, or remove the hooks)`,
      { param: 'x-portkey-config' },
    );
  }
  const slug = leaf.target.provider === undefined ? undefined : parseProviderReference(leaf.target.provider);
  const virtualKeyId =
    leaf.target.virtual_key ?? (slug?.kind === 'virtual-key' ? slug.virtualKeyId : undefined);
  if (virtualKeyId === undefined) {
    checkProvider(leaf.target.provider, leaf.path, input);
    return leaf;
  }
  const virtualKey = input.virtualKeys.get(virtualKeyId);
  if (virtualKey === undefined) {
    // The param and the message name where the slug came from, as the gateway's do (a config path, a
    // header, `model`).
    const param = virtualKeyParamOf({ virtualKeyId, leaf, headers: input.headers, model: input.model });
    throw new PkError(
      'PK_ERR_VIRTUAL_KEY_NOT_FOUND',
      `${virtualKeyMessageSubjectOf(param, leaf)}: no virtual key has this id`,
      { param },
    );
  }
  checkProvider(virtualKey.provider, leaf.path, input);
  // A key sent with the request never rides along with stored credentials.
  const { api_key: _requestKey, ...target } = leaf.target;
  return { ...leaf, target: { ...target, ...virtualKey } };
}

function checkProvider(provider: string | undefined, path: string, input: InProcessPlanInput): void {
  if (provider === undefined) {
    throw new PkError('PK_ERR_MISSING_PROVIDER', `${path}: the target names no provider`, {
      param: 'x-portkey-config',
    });
  }
  if (!input.isSupportedProvider(provider)) {
    throw new PkError(
      'PK_ERR_PROVIDER_NOT_SUPPORTED',
      `${path}: pk has no adapter for the provider "${provider}" yet`,
      {
        param: 'x-portkey-provider',
      },
    );
  }
}
