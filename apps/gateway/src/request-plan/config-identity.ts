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
 * saved config by the tenant of the key that sends it and the slug requests name it by
 * (`saved:team-a:pc-prod`), so one tenant's failures never open another tenant's breaker on the same
 * org-wide config (decision 0010); an inline config by its owner (the gateway key's id, `anonymous`
 * without one) and a SHA-256 of its canonical content (`inline:key-a:<hash>`), never by the `id` the
 * client wrote, so one key can neither open another key's breakers nor a saved config's. The hash is
 * computed once per parsed config object, not per request.
 */
export function configIdentityOf(input: {
  readonly config: Config | undefined;
  /** The saved config's slug. */
  readonly savedId: string | undefined;
  /** The gateway key's id, or `anonymous`: an inline config's owner. */
  readonly keyId: string;
  /** The gateway key's tenant (`[a-z0-9_-]`, never a `:`), or `anonymous`: a saved config's. */
  readonly tenant: string;
}): string {
  if (input.savedId !== undefined) return `saved:${input.tenant}:${input.savedId}`;
  if (input.config === undefined) return HEADERS_ONLY_ID;
  return `inline:${input.keyId}:${inlineHashOf(input.config)}`;
}

/** What a breaker key (`<config identity>:<target path>`) names, read back for an operator. */
export type BreakerKeyParts =
  | {
      readonly kind: 'saved';
      /** Absent for a key of the form before breakers were per tenant (`saved:<slug>:<path>`). */
      readonly tenant?: string;
      readonly slug: string;
      readonly path: string;
    }
  | { readonly kind: 'inline'; readonly owner: string; readonly hash: string; readonly path: string };

/**
 * The parts of a breaker key made from {@link configIdentityOf}, or `undefined` for any other key
 * (a store shared with other software, say). Target paths (`config.targets[0]`) hold no `:`.
 */
export function breakerKeyParts(key: string): BreakerKeyParts | undefined {
  const split = key.lastIndexOf(':');
  const identity = key.slice(0, split);
  const path = key.slice(split + 1);
  if (split < 0 || !path.startsWith('config')) return undefined;
  // `saved:<tenant>:<slug>`: a tenant holds no `:`, a settings file's config slug may. A key from
  // before breakers were per tenant, `saved:<slug>`, is still read, so an operator can close it.
  const saved = /^saved:([a-z0-9_-]+):(.+)$/.exec(identity);
  if (saved?.[1] !== undefined && saved[2] !== undefined) {
    return { kind: 'saved', tenant: saved[1], slug: saved[2], path };
  }
  if (/^saved:[^:]+$/.test(identity)) return { kind: 'saved', slug: identity.slice(6), path };
  const inline = /^inline:(.+):([0-9a-f]{32})$/.exec(identity);
  if (inline?.[1] === undefined || inline[2] === undefined) return undefined;
  return { kind: 'inline', owner: inline[1], hash: inline[2], path };
}
