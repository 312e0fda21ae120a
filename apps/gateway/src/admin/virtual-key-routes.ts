import { PkError } from '@pk/config';
import type { Store, VirtualKeyRecord } from '@pk/store';
import type { FastifyInstance } from 'fastify';
import { checkedWrite, configsUsingVirtualKey } from './config-references.js';
import {
  type CurrentUsage,
  type KeyUsage,
  listPageWithUsage,
  resetKeyUsage,
  resetUsageRequested,
  statusOfUsage,
  type UsageSubject,
  usageLimitsObject,
} from './current-usage.js';
import { type AdminBody, objectBody } from './portkey-body.js';
import { answerStoreErrors } from './store-errors.js';
import { refuseStoredGatewayKey, virtualKeyFieldName } from './stored-gateway-key.js';
import { createVirtualKeyInput, updateVirtualKeyInput } from './virtual-key-fields.js';

/** Whose usage a virtual key's is. */
export function usageSubjectOf(record: VirtualKeyRecord): UsageSubject {
  return {
    kind: 'virtual_key',
    id: record.id,
    usageLimits: record.usageLimits,
    rateLimits: record.rateLimits,
  };
}

/**
 * Portkey's virtual-key object (`portkey.virtualKeys.retrieve`): never the secret, only its masked
 * form; plus pk's fields (`options` without credentials, `secret_hints`, `models`, `allowed_hosts`,
 * `managed_by`, `integration_id`: the slug of the integration a provider was made from) and
 * `current_usage`. `status` is `disabled` while an operator has disabled it (`disabled_at` says
 * since when), else `expired`, else `exhausted` while its budget refuses (see
 * `current_usage.budget_exhausted`), else `active`.
 */
export function portkeyVirtualKeyObject(
  record: VirtualKeyRecord,
  now: number,
  usage?: CurrentUsage,
): Record<string, unknown> {
  const expired = record.expiresAt !== null && Date.parse(record.expiresAt) <= now;
  return {
    id: record.id,
    slug: record.slug,
    name: record.name,
    note: record.note,
    status:
      record.disabledAt !== null
        ? 'disabled'
        : expired
          ? 'expired'
          : statusOfUsage(usage, record.usageLimits),
    ai_provider_name: record.provider,
    provider: record.provider,
    masked_api_key: record.secretHints.api_key ?? null,
    secret_hints: record.secretHints,
    options: record.options,
    models: record.models,
    allowed_hosts: record.allowedHosts,
    model_config: {},
    usage_limits: usageLimitsObject(record.usageLimits, usage, now),
    rate_limits: record.rateLimits,
    reset_usage: 0,
    expires_at: record.expiresAt,
    disabled_at: record.disabledAt,
    created_at: record.createdAt,
    last_updated_at: record.updatedAt,
    managed_by: record.managedBy,
    integration_id: record.integrationSlug,
    ...(usage === undefined ? {} : { current_usage: usage }),
    object: 'virtual-key',
  };
}

interface SlugParams {
  readonly slug: string;
}

/** What differs between `/virtual-keys` and its alias `/providers` (Portkey's model catalog). */
export interface KeyRouteShape {
  /** The collection's path: `/virtual-keys` or `/providers`. */
  readonly path: string;
  /** What the error messages call a record: `virtual key` or `provider`. */
  readonly what: string;
  /** The `object` of a created or changed record's answer. */
  readonly object: string;
  /** The admin key scopes that allow an operation (any of them). */
  readonly scopes: (operation: 'create' | 'list' | 'read' | 'update' | 'delete') => readonly string[];
  /** Creates a record from a request body. */
  readonly create: (body: AdminBody, actor: string) => Promise<VirtualKeyRecord>;
  /** A record's answer object (the list's items, and the single read). */
  readonly objectOf: (
    record: VirtualKeyRecord,
    now: number,
    usage: CurrentUsage | undefined,
  ) => Record<string, unknown>;
}

/**
 * Portkey's virtual-key admin routes (`portkey.virtualKeys.*`). The provider key (`key`) goes to
 * the vault and is never returned; `usage_limits` and `rate_limits` are stored as sent.
 */
export async function virtualKeyRoutes(
  app: FastifyInstance,
  options: { readonly store: Store; readonly usage: KeyUsage },
): Promise<void> {
  const { store } = options;
  await keyRouteSet(app, options, {
    path: '/virtual-keys',
    what: 'virtual key',
    object: 'virtual-key',
    scopes: (operation) => [`virtual_keys.${operation}`],
    create: (body, actor) => {
      const input = createVirtualKeyInput(body);
      refuseStoredGatewayKey(input, store.catalog.snapshot, (field) => virtualKeyFieldName(body, field));
      return store.virtualKeys.create(input, actor);
    },
    objectOf: portkeyVirtualKeyObject,
  });
}

/**
 * The routes of a collection of virtual keys: create (the shape's), list and read with
 * `current_usage`, update (with `reset_usage`), and delete (refused while a saved config names the key).
 */
export async function keyRouteSet(
  app: FastifyInstance,
  options: { readonly store: Store; readonly usage: KeyUsage },
  shape: KeyRouteShape,
): Promise<void> {
  const { store, usage } = options;
  const { requireAdmin, actorOf } = app.adminAuth;
  const { path, what } = shape;
  answerStoreErrors(app, 'PK_ERR_VIRTUAL_KEY_NOT_FOUND');

  app.post(path, { preHandler: requireAdmin(shape.scopes('create')) }, async (request) => {
    const record = await shape.create(objectBody(request.body, what), actorOf(request));
    return { id: record.id, slug: record.slug, object: shape.object };
  });

  app.get(path, { preHandler: requireAdmin(shape.scopes('list')) }, async (request) => {
    const now = Date.now();
    return listPageWithUsage({
      items: await store.virtualKeys.list(),
      query: request.query as Record<string, unknown>,
      subjectOf: usageSubjectOf,
      usage,
      object: (record, current) => shape.objectOf(record, now, current),
    });
  });

  app.get<{ Params: SlugParams }>(
    `${path}/:slug`,
    { preHandler: requireAdmin(shape.scopes('read')) },
    async (request) => {
      const record = await store.virtualKeys.get(request.params.slug);
      return shape.objectOf(record, Date.now(), await usage.read(usageSubjectOf(record)));
    },
  );

  app.put<{ Params: SlugParams }>(
    `${path}/:slug`,
    { preHandler: requireAdmin(shape.scopes('update')) },
    async (request) => {
      const body = objectBody(request.body, what);
      const input = updateVirtualKeyInput(body);
      refuseStoredGatewayKey(input, store.catalog.snapshot, (field) => virtualKeyFieldName(body, field));
      const reset = resetUsageRequested(body);
      // `{ reset_usage: true }` alone changes no field: it works on the settings file's keys too.
      const updated = !reset || Object.keys(input).length > 0;
      const record = updated
        ? await store.virtualKeys.update(request.params.slug, input, actorOf(request))
        : await store.virtualKeys.get(request.params.slug);
      if (reset) {
        await resetKeyUsage({
          usage,
          store,
          subject: usageSubjectOf(record),
          actor: actorOf(request),
          updated,
        });
      }
      return { id: record.id, slug: record.slug, object: shape.object };
    },
  );

  app.delete<{ Params: SlugParams }>(
    `${path}/:slug`,
    { preHandler: requireAdmin(shape.scopes('delete')) },
    async (request) => {
      const record = await store.virtualKeys.get(request.params.slug);
      // A key from the settings file is the store's to refuse.
      if (record.managedBy !== null) await store.virtualKeys.delete(record.id, actorOf(request));
      // Deleting a key a saved config or a prompt sends requests through would break them.
      else
        await checkedWrite(store, async (basis, snapshot) => {
          const users = [
            ...named('saved config', configsUsingVirtualKey(snapshot, record.slug)),
            ...named('prompt', await store.prompts.usingVirtualKey(record.slug)),
          ];
          if (users.length > 0) {
            throw new PkError(
              'PK_ERR_CONFLICT',
              `the ${what} "${record.slug}" is used by ${users.join(', ')}: change or delete ${
                users.length > 1 ? 'them' : 'it'
              } first`,
            );
          }
          await store.virtualKeys.delete(record.id, actorOf(request), basis);
        });
      return {};
    },
  );
}

/** `the saved config "a"`, `the prompts "b", "c"`: what uses a key, for its conflict's message. */
function named(kind: string, slugs: readonly string[]): string[] {
  if (slugs.length === 0) return [];
  return [`the ${kind}${slugs.length > 1 ? 's' : ''} ${slugs.map((slug) => `"${slug}"`).join(', ')}`];
}
