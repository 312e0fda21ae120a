import { type BreakerStatus, type InspectableBreakerStore, PkError } from '@pk/config';
import type { Catalog, CatalogSnapshot, Store } from '@pk/store';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { markPortkeyAdminRoutes } from '../plugins/error-envelope.js';
import { type BreakerKeyParts, breakerKeyParts } from '../request-plan/config-identity.js';

/** What the breaker routes need. */
export interface BreakerRouteOptions {
  readonly breakers: InspectableBreakerStore;
  /** Where breaker state lives: `memory` (this process only) or `redis` (every replica's). */
  readonly kind: 'memory' | 'redis';
  readonly catalog: Catalog;
  /** For the audit log of a close (a close still happens while the database is down; logged instead). */
  readonly store: Store;
  readonly now?: () => number;
}

/** The control-plane segment these routes serve, with its own path's methods (the rest stays unrouted). */
export const BREAKER_SEGMENTS: Readonly<Record<string, readonly string[]>> = { breakers: ['GET'] };

/** Most breakers one list answers (`limit`, default and maximum). */
const MAX_LIST = 1_000;

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** The target description the engine stored with the counts (JSON text), as an object. */
function targetOf(text: string | undefined): Record<string, unknown> | null {
  if (text === undefined) return null;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * The config a breaker's key names: a saved config's slug and id with the tenant whose requests
 * opened it, or an inline config's owner.
 */
function configOf(
  parts: BreakerKeyParts | undefined,
  snapshot: CatalogSnapshot,
  keyNames: ReadonlyMap<string, string>,
): Record<string, unknown> {
  if (parts === undefined) return { type: 'unknown' };
  if (parts.kind === 'saved') {
    return {
      type: 'saved',
      slug: parts.slug,
      id: snapshot.configs.get(parts.slug)?.id ?? null,
      tenant: parts.tenant ?? null,
    };
  }
  return {
    type: 'inline',
    hash: parts.hash,
    gateway_key_id: parts.owner,
    gateway_key_name: keyNames.get(parts.owner) ?? null,
  };
}

/** Gateway key names by id, once per list (an inline config's breaker names its owner). */
function keyNamesOf(snapshot: CatalogSnapshot): Map<string, string> {
  const names = new Map<string, string>();
  for (const key of snapshot.gatewayKeysByHash.values()) names.set(key.id, key.name);
  return names;
}

/** The breaker states an operator sees (and may filter on). */
const STATES = ['open', 'half_open', 'counting'] as const;

function stateOf(status: BreakerStatus): (typeof STATES)[number] {
  return status.open ? 'open' : status.halfOpen ? 'half_open' : 'counting';
}

/** One breaker as the API shows it. */
function breakerObject(
  status: BreakerStatus,
  snapshot: CatalogSnapshot,
  keyNames: ReadonlyMap<string, string>,
): Record<string, unknown> {
  const parts = breakerKeyParts(status.key);
  const windowEnds =
    !status.open && !status.halfOpen && status.windowStartMs !== undefined && status.cooldownMs !== undefined
      ? status.windowStartMs + status.cooldownMs
      : undefined;
  return {
    id: status.key,
    object: 'circuit-breaker',
    state: stateOf(status),
    open_until: iso(status.openUntilMs),
    probe_until: iso(status.probeUntilMs),
    failures: status.failures,
    successes: status.successes,
    window_started_at: iso(status.windowStartMs),
    window_ends_at: iso(windowEnds),
    cooldown_interval: status.cooldownMs ?? null,
    target_path: parts?.path ?? null,
    target: targetOf(status.target),
    config: configOf(parts, snapshot, keyNames),
  };
}

/**
 * pk's circuit-breaker routes (admin key): `GET /breakers` lists every breaker open now, half-open
 * (cooldown over, one probe request at a time) or counting failures in its window
 * (`state=open|half_open|counting`, `limit`), with its config, target and times;
 * `DELETE /breakers/:id` closes one at once (the next request tries its target again), audited.
 * With `PK_BREAKER_STORE=memory` both see this process's breakers only (`breaker_store` says which).
 */
export async function breakerRoutes(app: FastifyInstance, options: BreakerRouteOptions): Promise<void> {
  markPortkeyAdminRoutes(app);
  const { breakers, kind, catalog, store } = options;
  const now = options.now ?? Date.now;
  const { requireAdmin, actorOf } = app.adminAuth;
  // The client is told what failed; how (the Redis client's own words) goes to the server log.
  const unavailable = (error: unknown, request: FastifyRequest): PkError => {
    request.log.warn(
      { err: { message: (error as Error).message }, traceId: request.traceId },
      'circuit-breaker store unavailable',
    );
    return new PkError(
      'PK_ERR_STORE_UNAVAILABLE',
      "the circuit-breaker store (Redis) is unavailable; requests are still served with this process's breakers",
    );
  };

  app.get('/breakers', { preHandler: requireAdmin('breakers.list') }, async (request) => {
    const query = request.query as Record<string, unknown>;
    const state = query.state;
    if (state !== undefined && !STATES.includes(state as (typeof STATES)[number])) {
      throw new PkError('PK_ERR_INVALID_REQUEST', 'state must be open, half_open or counting', {
        param: 'state',
      });
    }
    const limit = query.limit === undefined ? MAX_LIST : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) {
      throw new PkError('PK_ERR_INVALID_REQUEST', `limit must be a whole number from 1 to ${MAX_LIST}`, {
        param: 'limit',
      });
    }
    let found: readonly BreakerStatus[];
    try {
      found = await breakers.list(now(), { limit: MAX_LIST });
    } catch (error) {
      throw unavailable(error, request);
    }
    const snapshot = catalog.snapshot;
    const keyNames = keyNamesOf(snapshot);
    const data = found
      .filter((status) => state === undefined || stateOf(status) === state)
      .slice(0, limit)
      .map((status) => breakerObject(status, snapshot, keyNames));
    return { object: 'list', breaker_store: kind, total: data.length, data };
  });

  app.delete<{ Params: { id: string } }>(
    '/breakers/:id',
    { preHandler: requireAdmin('breakers.update') },
    async (request) => {
      const key = request.params.id;
      if (breakerKeyParts(key) === undefined) {
        throw new PkError('PK_ERR_RECORD_NOT_FOUND', 'no circuit breaker has this id', { param: 'id' });
      }
      let wasOpen: boolean;
      try {
        wasOpen = await breakers.close(key, now());
      } catch (error) {
        throw unavailable(error, request);
      }
      try {
        await store.audit.recordAction({
          actor: actorOf(request),
          action: 'close',
          entity: 'circuit_breaker',
          entityId: key,
          before: { open: wasOpen },
        });
      } catch (error) {
        // The breaker is closed whatever the database says: the entry goes to the log line instead.
        request.log.warn(
          {
            err: { message: (error as Error).message },
            breaker: key,
            actor: actorOf(request),
            was_open: wasOpen,
          },
          'circuit breaker closed, but the audit log could not be written',
        );
      }
      return { id: key, object: 'circuit-breaker', state: 'closed', was_open: wasOpen };
    },
  );
}
