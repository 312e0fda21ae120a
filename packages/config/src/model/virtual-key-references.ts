import { parseModelReference, parseProviderReference } from '../provider-id.js';

/**
 * Applies the two hosted-Portkey forms that name a virtual key to a request's header overrides: a
 * provider written `@slug` becomes `virtual_key: slug`, and a model written `@slug/model` sets
 * `virtual_key` (unless one is named already). Returns the model to send upstream, without its
 * `@slug/` prefix, when the request used that form. Mutates `overrides`.
 */
export function applyVirtualKeyReferences(
  overrides: Record<string, unknown>,
  model: string | undefined,
): string | undefined {
  const modelReference = model === undefined ? undefined : parseModelReference(model);
  if (modelReference) overrides.virtual_key ??= modelReference.virtualKeyId;
  if (typeof overrides.provider === 'string') {
    const reference = parseProviderReference(overrides.provider);
    if (reference.kind === 'virtual-key') {
      overrides.virtual_key = reference.virtualKeyId;
      delete overrides.provider;
    }
  }
  return modelReference?.model;
}
