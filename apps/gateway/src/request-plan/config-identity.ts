import { createHash } from 'node:crypto';
import { type Config, canonicalJson } from '@pk/config';

/** A config with no routing of its own (provider from the headers): nothing to break on. */
const HEADERS_ONLY_ID = 'headers';

/** Hashes of inline configs, by config object (the parse cache hands out one object per header text). */
const inlineHashes = new WeakMap<Config, string>();

function inlineHashOf(config: Config): string {
  let hash = inlineHashes.get(config);
  if (hash === undefined) {
    hash = createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 32);
    inlineHashes.set(config, hash);
  }
  return hash;
}

/**
 * The identity of a request's config, which keys its circuit breakers (`<id>:<target path>`): a
 * saved config by its stored id (`saved:pc-prod`); an inline config by the tenant and a SHA-256 of
 * its canonical content (`inline:team-a:<hash>`), never by the `id` the client wrote, so one tenant
 * can neither open another tenant's breakers nor a saved config's. The hash is computed once per
 * parsed config object, not per request.
 */
export function configIdentityOf(input: {
  readonly config: Config | undefined;
  readonly savedId: string | undefined;
  readonly tenant: string;
}): string {
  if (input.savedId !== undefined) return `saved:${input.savedId}`;
  if (input.config === undefined) return HEADERS_ONLY_ID;
  return `inline:${input.tenant}:${inlineHashOf(input.config)}`;
}
