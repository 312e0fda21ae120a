import type { PlanLeaf } from '../plan/plan.js';
import { parseModelReference, parseProviderReference } from '../provider-id.js';
import type { Config } from '../schema/target.js';

/** Options of {@link applyVirtualKeyReferences}. */
export interface VirtualKeyReferenceOptions {
  /**
   * The request's config, when it has one: when its own `override_params.model` is written
   * `@slug/model` (see {@link configModelReference}), that model replaces the body's, so the body's
   * `@slug/` names no virtual key (it is still left out of the model returned).
   */
  readonly config?: Config | undefined;
}

/**
 * Applies the two hosted-Portkey forms that name a virtual key to a request's header overrides: a
 * provider written `@slug` becomes `virtual_key: slug`, and a body model written `@slug/model` sets
 * `virtual_key` (unless one is named already, or the config's own model names one). Returns the
 * model to send upstream, without its `@slug/` prefix, when the request used that form. Mutates
 * `overrides`. A config's `@slug/model` is resolved per target by `resolveConfig`.
 */
export function applyVirtualKeyReferences(
  overrides: Record<string, unknown>,
  model: string | undefined,
  options: VirtualKeyReferenceOptions = {},
): string | undefined {
  const modelReference = model === undefined ? undefined : parseModelReference(model);
  const replacedByConfig = options.config !== undefined && configModelReference(options.config) !== undefined;
  if (modelReference && !replacedByConfig) overrides.virtual_key ??= modelReference.virtualKeyId;
  if (typeof overrides.provider === 'string') {
    const reference = parseProviderReference(overrides.provider);
    if (reference.kind === 'virtual-key') {
      overrides.virtual_key = reference.virtualKeyId;
      delete overrides.provider;
    }
  }
  return modelReference?.model;
}

/** The `@slug/model` a config's root `override_params.model` is written as, when it is. */
export function configModelReference(config: Config): { virtualKeyId: string; model: string } | undefined {
  const model = config.override_params?.model;
  return typeof model === 'string' ? parseModelReference(model) : undefined;
}

/** A plan leaf's target and `override_params` after {@link resolveLeafModelReference}. */
export type LeafModelResolution = Pick<PlanLeaf, 'target' | 'override_params' | 'virtual_key_path'>;

/**
 * Resolves a leaf's `override_params.model` written `@slug/model` (hosted Portkey's model-catalog
 * form, as the body's): the model sent is the bare `model`, and `slug` is the target's virtual key
 * unless the target names one itself (`virtual_key`, or a provider written `@slug`), as a named
 * virtual key beats the body's `@slug/model`. `modelPath` is the config path the model was written
 * at (`config.targets[0].override_params.model`, or an ancestor's): the leaf's `virtual_key_path`
 * when the model named its virtual key, for the errors. Pure; a leaf without that form is returned
 * as it came.
 */
export function resolveLeafModelReference(
  leaf: Pick<PlanLeaf, 'target' | 'override_params'>,
  modelPath: string | undefined,
): LeafModelResolution {
  const model = leaf.override_params.model;
  const reference = typeof model === 'string' ? parseModelReference(model) : undefined;
  if (reference === undefined) return { target: leaf.target, override_params: leaf.override_params };
  const override_params = { ...leaf.override_params, model: reference.model };
  const provider = leaf.target.provider;
  const namesKey =
    leaf.target.virtual_key !== undefined ||
    (provider !== undefined && parseProviderReference(provider).kind === 'virtual-key');
  if (namesKey) return { target: leaf.target, override_params };
  return {
    target: { ...leaf.target, virtual_key: reference.virtualKeyId },
    override_params,
    ...(modelPath === undefined ? {} : { virtual_key_path: modelPath }),
  };
}
