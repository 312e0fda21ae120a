import { type Config, PkError } from '@pk/config';
import type { ConfigRecord, ConfigVersionRecord, ConfigWriteOptions, Store } from '@pk/store';
import type { FastifyInstance } from 'fastify';
import type { GatewayGuardrails } from '../guardrails/gateway-guardrails.js';
import { type ActorKey, actorKeysOf } from './actor-keys.js';
import { checkedWrite, missingVirtualKeyIssues } from './config-references.js';
import {
  field,
  flag,
  listPage,
  objectBody,
  refuseOtherRecord,
  refuseUnknownFields,
  spellings,
} from './portkey-body.js';
import { answerStoreErrors } from './store-errors.js';

/** Portkey's config object (`portkey.configs.retrieve`), `config` as an object, plus pk's `version` and `managed_by`. */
export function portkeyConfigObject(record: ConfigRecord): Record<string, unknown> {
  return {
    id: record.id,
    name: record.name,
    slug: record.slug,
    workspace_id: null,
    organisation_id: null,
    is_default: record.isDefault ? 1 : 0,
    status: record.status,
    owner_id: null,
    updated_by: null,
    created_at: record.createdAt,
    last_updated_at: record.updatedAt,
    config: record.config,
    format: 'json',
    type: 'ORG_CONFIG',
    version_id: record.versionId,
    version: record.version,
    managed_by: record.managedBy,
    object: 'config',
  };
}

/** One version of a config (pk's `GET /v1/configs/:slug/versions`). */
function versionObject(
  config: ConfigRecord,
  version: ConfigVersionRecord,
  actorKeys: ReadonlyMap<string, ActorKey>,
): Record<string, unknown> {
  return {
    id: config.id,
    slug: config.slug,
    version_id: version.id,
    version: version.version,
    is_latest: version.id === config.versionId,
    config: version.config,
    restored_from_version_id: version.restoredFrom,
    created_at: version.createdAt,
    created_by: version.createdBy,
    // pk's: the gateway key `created_by` names (`key:<id>`), with its name, for people to read.
    created_by_key: actorKeys.get(version.createdBy) ?? null,
    object: 'config-version',
  };
}

const CREATE_FIELDS = spellings('name', 'config', 'is_default', 'slug', 'workspace_id', 'organisation_id');
const UPDATE_FIELDS = spellings('name', 'config', 'is_default', 'slug', 'status', 'workspace_id');

interface SlugParams {
  readonly slug: string;
}

/**
 * Portkey's saved-config admin routes (`portkey.configs.*`) and pk's versions beside them. `config`
 * is accepted as an object or its JSON text and returned as an object; it is validated exactly like
 * a settings-file config, hooks included (guardrail ids, regexes, JSON Schemas), before anything is
 * written, and every virtual key it names must exist (a create, an update and a restore alike): a
 * config naming a missing key would answer every request with a 404. A slug in a PUT body must be
 * the config's own (the SDK resends it); another is a 400, never a silent change of this one.
 */
export async function configRoutes(
  app: FastifyInstance,
  options: { readonly store: Store; readonly guardrails: GatewayGuardrails },
): Promise<void> {
  const { store, guardrails } = options;
  const { requireAdmin, actorOf } = app.adminAuth;
  answerStoreErrors(app, 'PK_ERR_CONFIG_NOT_FOUND');
  /**
   * Writes with the hook compiler's checks and every named virtual key checked on a fresh snapshot,
   * as one step with the write (see {@link checkedWrite}).
   */
  const checked = <T>(write: (options: ConfigWriteOptions) => Promise<T>): Promise<T> =>
    checkedWrite(store, (basis, snapshot) =>
      write({
        ...basis,
        validate: (config: Config) => [
          ...guardrails.validateConfig(config),
          ...missingVirtualKeyIssues(config, snapshot),
        ],
      }),
    );

  app.post('/configs', { preHandler: requireAdmin('configs.create') }, async (request) => {
    const body = objectBody(request.body, 'config');
    refuseUnknownFields(body, CREATE_FIELDS, 'config');
    const isDefault = flag(field(body, 'is_default', 'isDefault'), 'is_default');
    const slug = field(body, 'slug');
    const record = await checked((options) =>
      store.configs.create(
        {
          ...(slug === undefined ? {} : { slug: slug as string }),
          name: field(body, 'name') as string,
          config: field(body, 'config'),
          ...(isDefault === undefined ? {} : { isDefault }),
        },
        actorOf(request),
        options,
      ),
    );
    return { id: record.id, slug: record.slug, version_id: record.versionId, object: 'config' };
  });

  app.get('/configs', { preHandler: requireAdmin('configs.list') }, async (request) =>
    listPage((await store.configs.list()).map(portkeyConfigObject), request.query as Record<string, unknown>),
  );

  app.get<{ Params: SlugParams }>(
    '/configs/:slug',
    { preHandler: requireAdmin('configs.read') },
    async (request) => portkeyConfigObject(await store.configs.get(request.params.slug)),
  );

  app.put<{ Params: SlugParams }>(
    '/configs/:slug',
    { preHandler: requireAdmin('configs.update') },
    async (request) => {
      const body = objectBody(request.body, 'config');
      refuseUnknownFields(body, UPDATE_FIELDS, 'config');
      if (body.slug !== undefined && body.slug !== request.params.slug) {
        const stored = await store.configs.get(request.params.slug);
        refuseOtherRecord(body, 'slug', [stored.slug, stored.id]);
      }
      const isDefault = flag(field(body, 'is_default', 'isDefault'), 'is_default');
      const name = field(body, 'name');
      const config = field(body, 'config');
      const status = field(body, 'status');
      const record = await checked((options) =>
        store.configs.update(
          request.params.slug,
          {
            ...(name === undefined ? {} : { name: name as string }),
            ...(config === undefined ? {} : { config }),
            ...(isDefault === undefined ? {} : { isDefault }),
            ...(status === undefined ? {} : { status: status as string }),
          },
          actorOf(request),
          options,
        ),
      );
      return {
        id: record.id,
        slug: record.slug,
        version_id: record.versionId,
        version: record.version,
        object: 'config',
      };
    },
  );

  app.delete<{ Params: SlugParams }>(
    '/configs/:slug',
    { preHandler: requireAdmin('configs.delete') },
    async (request) => {
      await store.configs.delete(request.params.slug, actorOf(request));
      return {};
    },
  );

  app.get<{ Params: SlugParams }>(
    '/configs/:slug/versions',
    { preHandler: requireAdmin('configs.read') },
    async (request) => {
      const config = await store.configs.get(request.params.slug);
      if (config.managedBy !== null) {
        throw new PkError(
          'PK_ERR_READ_ONLY',
          `the saved config "${config.slug}" is managed by the settings file ${config.managedBy}: it has no stored versions`,
        );
      }
      const versions = await store.configs.versions(config.id);
      const actorKeys = await actorKeysOf(
        store,
        versions.map((version) => version.createdBy),
      );
      return listPage(
        versions.map((version) => versionObject(config, version, actorKeys)),
        request.query as Record<string, unknown>,
      );
    },
  );

  app.post<{ Params: SlugParams & { readonly versionId: string } }>(
    '/configs/:slug/versions/:versionId/restore',
    { preHandler: requireAdmin('configs.update') },
    async (request) => {
      const reference = request.params.versionId;
      // A version is named by its id or by its number (`…/versions/2/restore`).
      const version = /^\d{1,9}$/.test(reference) ? Number(reference) : reference;
      const record = await checked((options) =>
        store.configs.rollback(request.params.slug, version, actorOf(request), options),
      );
      const restored = await store.configs.versions(record.id);
      return {
        id: record.id,
        slug: record.slug,
        version_id: record.versionId,
        version: record.version,
        restored_from_version_id: restored[0]?.restoredFrom ?? null,
        object: 'config',
      };
    },
  );
}
