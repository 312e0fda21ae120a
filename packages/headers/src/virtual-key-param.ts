import { type PlanLeaf, parseModelReference } from '@pk/config';
import { headerOverridesOf } from './header-overrides.js';
import type { ParsedRequestHeaders } from './parse-request-headers.js';

/**
 * Where a request named a virtual key it cannot use, for the error's `param`: the config's
 * `override_params.model` written `@slug/model` (`config.targets[1].override_params.model`), the
 * header (`x-portkey-virtual-key`, or `x-portkey-provider: @slug`), the body's `model`
 * (`@slug/model`), or else the config's field of the target (`config.targets[1].virtual_key`,
 * `config.provider` for a `@slug` provider). The gateway and the SDK's in-process mode answer with
 * the same one. Computed only for the error.
 */
export function virtualKeyParamOf(options: {
  /** The virtual key's id (slug) that was not found, has expired or may not be used. */
  readonly virtualKeyId: string;
  /** The plan's target that named it (its `path` is `config`, `config.targets[1]` …). */
  readonly leaf: Pick<PlanLeaf, 'path' | 'target' | 'virtual_key_path'>;
  readonly headers: ParsedRequestHeaders;
  /** The body's `model`. */
  readonly model?: string | undefined;
  /** As for {@link headerOverridesOf}. */
  readonly authorizationIsGatewayKey?: boolean;
}): string {
  const { virtualKeyId, leaf } = options;
  if (leaf.virtual_key_path !== undefined && leaf.target.virtual_key === virtualKeyId)
    return leaf.virtual_key_path;
  const fromHeaders = headerOverridesOf(options.headers, {
    ...(options.authorizationIsGatewayKey === undefined
      ? {}
      : { authorizationIsGatewayKey: options.authorizationIsGatewayKey }),
  });
  if (fromHeaders.virtual_key === virtualKeyId) return 'x-portkey-virtual-key';
  if (fromHeaders.provider === `@${virtualKeyId}`) return 'x-portkey-provider';
  const fromModel = options.model === undefined ? undefined : parseModelReference(options.model);
  if (fromModel?.virtualKeyId === virtualKeyId) return 'model';
  return `${leaf.path}.${leaf.target.virtual_key === undefined ? 'provider' : 'virtual_key'}`;
}

/**
 * What a virtual-key error message starts with, given its {@link virtualKeyParamOf} `param`: the
 * header or body field that named the key (`x-portkey-virtual-key: no virtual key has this id`), a
 * config's `@slug/model` model (`config.targets[1].override_params.model: …`), else the config's
 * target (`config.targets[1]: …`). The gateway and the SDK's in-process mode share it.
 */
export function virtualKeyMessageSubjectOf(param: string, leaf: Pick<PlanLeaf, 'path'>): string {
  if (param.endsWith('.override_params.model')) return param;
  return param.startsWith('config') ? leaf.path : param;
}
