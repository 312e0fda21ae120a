import type { Store } from '@pk/store';

/**
 * The gateway key an audit actor (`key:<id>`) names, for people reading who did something (the
 * console's "By" column): its name, and whether it is still `active`, `revoked`, or `deleted` (its
 * name then read from the audit entry of its deletion; `null` when none is kept).
 */
export interface ActorKey {
  readonly id: string;
  readonly name: string | null;
  readonly status: 'active' | 'revoked' | 'deleted';
}

/** The audit actor of a request made with a gateway key (see `AdminAuth.actorOf`). */
const KEY_ACTOR = /^key:(.+)$/;

/**
 * The keys behind `actors` (others, `cli`, `anonymous`, are left out), by actor: one read of the
 * keys, revoked ones included, and one audit read per key that no longer exists.
 */
export async function actorKeysOf(
  store: Store,
  actors: Iterable<string | null>,
): Promise<ReadonlyMap<string, ActorKey>> {
  const ids = new Set<string>();
  for (const actor of actors) {
    const id = actor === null ? undefined : KEY_ACTOR.exec(actor)?.[1];
    if (id !== undefined) ids.add(id);
  }
  const found = new Map<string, ActorKey>();
  if (ids.size === 0) return found;
  for (const key of await store.gatewayKeys.list({ includeRevoked: true })) {
    if (!ids.has(key.id)) continue;
    found.set(`key:${key.id}`, {
      id: key.id,
      name: key.name,
      status: key.revokedAt === null ? 'active' : 'revoked',
    });
  }
  for (const id of ids) {
    if (found.has(`key:${id}`)) continue;
    const [deletion] = await store.audit.list({ entity: 'gateway_key', entityId: id, limit: 1 });
    const before = deletion?.action === 'delete' ? (deletion.before as { name?: unknown } | null) : null;
    found.set(`key:${id}`, {
      id,
      name: typeof before?.name === 'string' ? before.name : null,
      status: 'deleted',
    });
  }
  return found;
}
