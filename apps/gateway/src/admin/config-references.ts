import { parseProviderReference, walkConfig } from '@pk/config';
import type { CatalogSnapshot } from '@pk/store';

/**
 * The saved configs (stored or from the settings file) that send requests through a virtual key:
 * a target's `virtual_key`, or a `provider: "@slug"`. A virtual key they name cannot be deleted.
 */
export function configsUsingVirtualKey(snapshot: CatalogSnapshot, slug: string): string[] {
  const using: string[] = [];
  for (const saved of snapshot.configs.values()) {
    let uses = false;
    walkConfig(saved.config, (node) => {
      if (node.virtual_key === slug) uses = true;
      const provider = node.provider;
      if (typeof provider === 'string') {
        const reference = parseProviderReference(provider);
        if (reference.kind === 'virtual-key' && reference.virtualKeyId === slug) uses = true;
      }
    });
    if (uses) using.push(saved.slug);
  }
  return using;
}
