import { PkError } from '@pk/config';
import type { Store, VirtualKeyRecord } from '@pk/store';
import type { FastifyInstance } from 'fastify';
import { configsUsingVirtualKey } from './config-references.js';
import {
  type CurrentUsage,
  type KeyUsage,
  listPageWithUsage,
  resetKeyUsage,
  resetUsageRequested,
  statusOfUsage,
  type UsageSubject,
} from './current-usage.js';
import { objectBody } from './portkey-body.js';
import { answerStoreErrors } from './store-errors.js';
import { createVirtualKeyInput, updateVirtualKeyInput } from './virtual-key-fields.js';

/** Whose usage a virtual key's is. */
function usageSubjectOf(record: VirtualKeyRecord): UsageSubject {
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
 * `managed_by`) and `current_usage`. `status` is `expired`, else `exhausted` while its budget
 * refuses (see `current_usage.budget_exhausted`), else `active`.
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
    status: expired ? 'expired' : statusOfUsage(usage),
    ai_provider_name: record.provider,
    provider: record.provider,
    masked_api_key: record.secretHints.api_key ?? null,
    secret_hints: record.secretHints,
    options: record.options,
    models: record.models,
    allowed_hosts: record.allowedHosts,
    model_config: {},
    usage_limits: record.usageLimits,
    rate_limits: record.rateLimits,
    reset_usage: 0,
    expires_at: record.expiresAt,
    created_at: record.createdAt,
    last_updated_at: record.updatedAt,
    managed_by: record.managedBy,
    ...(usage === undefined ? {} : { current_usage: usage }),
    object: 'virtual-key',
  };
}

interface SlugParams {
  readonly slug: string;
}

/**
 * Portkey's virtual-key admin routes (`portkey.virtualKeys.*`). The provider key (`key`) goes to
 * the vault and is never returned; `usage_limits` and `rate_limits` are stored as sent.
 */
export async function virtualKeyRoutes(
  app: FastifyInstance,
  options: { readonly store: Store; readonly usage: KeyUsage },
): Promise<void> {
  const { store, usage } = options;
  const { requireAdmin, actorOf } = app.adminAuth;
  answerStoreErrors(app, 'PK_ERR_VIRTUAL_KEY_NOT_FOUND');

  app.post('/virtual-keys', { preHandler: requireAdmin('virtual_keys.create') }, async (request) => {
    const input = createVirtualKeyInput(objectBody(request.body, 'virtual key'));
    const record = await store.virtualKeys.create(input, actorOf(request));
    return { id: record.id, slug: record.slug, object: 'virtual-key' };
  });

  app.get('/virtual-keys', { preHandler: requireAdmin('virtual_keys.list') }, async (request) => {
    const now = Date.now();
    return listPageWithUsage({
      items: await store.virtualKeys.list(),
      query: request.query as Record<string, unknown>,
      subjectOf: usageSubjectOf,
      usage,
      object: (record, current) => portkeyVirtualKeyObject(record, now, current),
    });
  });

  app.get<{ Params: SlugParams }>(
    '/virtual-keys/:slug',
    { preHandler: requireAdmin('virtual_keys.read') },
    async (request) => {
      const record = await store.virtualKeys.get(request.params.slug);
      return portkeyVirtualKeyObject(record, Date.now(), await usage.read(usageSubjectOf(record)));
    },
  );

  app.put<{ Params: SlugParams }>(
    '/virtual-keys/:slug',
    { preHandler: requireAdmin('virtual_keys.update') },
    async (request) => {
      const body = objectBody(request.body, 'virtual key');
      const input = updateVirtualKeyInput(body);
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
      return { id: record.id, slug: record.slug, object: 'virtual-key' };
    },
  );

  app.delete<{ Params: SlugParams }>(
    '/virtual-keys/:slug',
    { preHandler: requireAdmin('virtual_keys.delete') },
    async (request) => {
      const record = await store.virtualKeys.get(request.params.slug);
      // Deleting a key a saved config sends requests through would break that config.
      const using = configsUsingVirtualKey(store.catalog.snapshot, record.slug);
      if (using.length > 0 && record.managedBy === null) {
        throw new PkError(
          'PK_ERR_CONFLICT',
          `the virtual key "${record.slug}" is used by the saved config${using.length > 1 ? 's' : ''} ${using
            .map((slug) => `"${slug}"`)
            .join(', ')}: change or delete ${using.length > 1 ? 'them' : 'it'} first`,
        );
      }
      await store.virtualKeys.delete(record.id, actorOf(request));
      return {};
    },
  );
}
