/**
 * What saving the config editor sends (`PUT /configs/:slug`): nothing when the config and its name
 * are as saved (a PUT with the same config would still make a new version, as Portkey's does, and
 * clutter the history), the name alone when only it changed (a rename makes no version), or the
 * config with the name (a new version).
 */
export type ConfigSave =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'rename'; readonly body: { readonly name: string } }
  | { readonly kind: 'new-version'; readonly body: { readonly config: string; readonly name: string } };

/** The JSON value with every object's keys in order, so two spellings of one config compare equal. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
  );
}

function sameConfig(saved: unknown, source: string): boolean {
  try {
    return JSON.stringify(canonical(JSON.parse(source))) === JSON.stringify(canonical(saved));
  } catch {
    // Not JSON: the gateway refuses it and says why.
    return false;
  }
}

/**
 * The save of `edited` (the editor's name and JSON text) over `saved` (the config as the gateway
 * returned it). Names are compared as the gateway stores them, without spaces at their ends; the
 * config as JSON values (spacing and the order of an object's keys do not matter, a list's order does).
 */
export function configSaveOf(
  saved: { readonly name: string; readonly config: unknown },
  edited: { readonly name: string; readonly source: string },
): ConfigSave {
  const renamed = edited.name.trim() !== saved.name.trim();
  if (!sameConfig(saved.config, edited.source)) {
    return { kind: 'new-version', body: { config: edited.source, name: edited.name } };
  }
  return renamed ? { kind: 'rename', body: { name: edited.name } } : { kind: 'unchanged' };
}
