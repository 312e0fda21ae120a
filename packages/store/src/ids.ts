import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** Ids, slugs and tenants: `[a-z0-9_-]`, 1-64 characters, starting with a letter or digit. */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** A new record id (a UUID, which also fits {@link SLUG_PATTERN}). */
export function newId(): string {
  return randomUUID();
}

function slugWords(name: string, length: number): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, length)
    .replace(/-+$/, '');
}

/**
 * A saved config's slug in Portkey's form: `pc-` + the first 6 characters of the name + `-` + 6 hex
 * (`Pplx Cache Test` → `pc-pplx-c-ca7a87`).
 */
export function newConfigSlug(name: string): string {
  const words = slugWords(name, 6);
  return `pc-${words === '' ? 'config' : words}-${randomBytes(3).toString('hex')}`;
}

/** A guardrail's slug, in the form of Portkey's config slugs: `pg-` + 6 name characters + 6 hex. */
export function newGuardrailSlug(name: string): string {
  const words = slugWords(name, 6);
  return `pg-${words === '' ? 'guard' : words}-${randomBytes(3).toString('hex')}`;
}

/**
 * A prompt's slug in Portkey's form: `pp-` + the first 20 characters of the name + `-` + 6 hex
 * (`Support reply` → `pp-support-reply-3fa2c1`).
 */
export function newPromptSlug(name: string, prefix = 'pp'): string {
  const words = slugWords(name, 20);
  return `${prefix}-${words === '' ? 'prompt' : words}-${randomBytes(3).toString('hex')}`;
}

/** An integration's slug: the name + `-` + 6 hex, like a virtual key's. */
export function newIntegrationSlug(name: string): string {
  const words = slugWords(name, 40);
  return `${words === '' ? 'integration' : words}-${randomBytes(3).toString('hex')}`;
}

/** A prompt collection's slug: the name + `-` + 6 hex (`support-3fa2c1`). */
export function newCollectionSlug(name: string): string {
  const words = slugWords(name, 40);
  return `${words === '' ? 'collection' : words}-${randomBytes(3).toString('hex')}`;
}

/** A virtual key's slug in Portkey's form: the name + `-` + 6 hex (`azure-test-4110dd`). */
export function newVirtualKeySlug(name: string): string {
  const words = slugWords(name, 40);
  return `${words === '' ? 'vk' : words}-${randomBytes(3).toString('hex')}`;
}

/** A new gateway key secret: `pk-` + 32 random bytes, base64url. Shown once, never stored. */
export function newGatewayKeySecret(): string {
  return `pk-${randomBytes(32).toString('base64url')}`;
}

/**
 * What the store keeps of a gateway key's secret, and what the request path looks keys up by:
 * its SHA-256, hex. Generated secrets carry 256 random bits, so the hash cannot be reversed.
 */
export function hashGatewayKeySecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
