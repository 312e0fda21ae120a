import { PkError } from '@pk/config';
import type { CreateGatewayKeyInput, GatewayKeyRecord, Store, UpdateGatewayKeyInput } from '@pk/store';
import type { FastifyInstance, FastifyRequest } from 'fastify';
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
import {
  type AdminBody,
  field,
  objectBody,
  refuseOtherRecord,
  refuseUnknownFields,
  spellings,
} from './portkey-body.js';
import { answerStoreErrors } from './store-errors.js';

/** Portkey's API-key types (`POST /v1/api-keys/{type}/{sub-type}`) and what each is in pk. */
interface KeyType {
  /** Portkey's joined spelling, as it reads back (`workspace-service`). */
  readonly portkeyType: string;
  /** pk's role: an organisation service key is an admin key, a workspace key a user key. */
  readonly role: 'admin' | 'user';
  /** The prefix of Portkey's scopes that manage keys of this type. */
  readonly scopePrefix: string;
  /** A workspace user key belongs to a user (`user_id` required, as Portkey requires it). */
  readonly needsUser: boolean;
}

const KEY_TYPES: Readonly<Record<string, KeyType>> = {
  'organisation/service': {
    portkeyType: 'organisation-service',
    role: 'admin',
    scopePrefix: 'organisation_service_api_keys',
    needsUser: false,
  },
  'workspace/service': {
    portkeyType: 'workspace-service',
    role: 'user',
    scopePrefix: 'workspace_service_api_keys',
    needsUser: false,
  },
  'workspace/user': {
    portkeyType: 'workspace-user',
    role: 'user',
    scopePrefix: 'workspace_user_api_keys',
    needsUser: true,
  },
};

function keyTypeOf(type: string, subType: string): KeyType {
  const known = KEY_TYPES[`${type === 'organization' ? 'organisation' : type}/${subType}`];
  if (!known) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      `api key type "${type}/${subType}" is not one of organisation/service (an admin key), workspace/service or workspace/user (user keys)`,
      { param: 'type' },
    );
  }
  return known;
}

/** The type of a stored key: as created through this API, else from its role. */
function keyTypeOfRecord(record: GatewayKeyRecord): KeyType {
  const written = record.attributes?.type;
  const match = Object.values(KEY_TYPES).find((type) => type.portkeyType === written);
  return (
    match ?? (KEY_TYPES[record.role === 'admin' ? 'organisation/service' : 'workspace/service'] as KeyType)
  );
}

/** Whose usage a gateway key's is. */
function usageSubjectOf(record: GatewayKeyRecord): UsageSubject {
  return { kind: 'api_key', id: record.id, usageLimits: record.usageLimits, rateLimits: record.rateLimits };
}

/**
 * Portkey's API-key object (`portkey.apiKeys.retrieve`): the key masked; plus pk's role, tenant and
 * allow lists, and `current_usage`. `status`: `revoked`, `expired`, `exhausted` (its budget refuses)
 * or `active`.
 */
export function portkeyApiKeyObject(record: GatewayKeyRecord, usage?: CurrentUsage): Record<string, unknown> {
  const attributes = record.attributes ?? {};
  const now = Date.now();
  const expired = record.expiresAt !== null && Date.parse(record.expiresAt) <= now;
  return {
    id: record.id,
    key: record.keyHint,
    name: record.name,
    description: record.description,
    type: keyTypeOfRecord(record).portkeyType,
    organisation_id: null,
    workspace_id: attributes.workspace_id ?? null,
    user_id: attributes.user_id ?? null,
    status:
      record.revokedAt !== null ? 'revoked' : expired ? 'expired' : statusOfUsage(usage, record.usageLimits),
    creation_mode: record.managedBy === null ? 'api' : 'settings',
    rate_limits: record.rateLimits,
    usage_limits: usageLimitsObject(record.usageLimits, usage, now),
    reset_usage: 0,
    scopes: record.scopes,
    defaults: attributes.defaults ?? null,
    alert_emails: attributes.alert_emails ?? null,
    expires_at: record.expiresAt,
    created_at: record.createdAt,
    last_updated_at: record.updatedAt,
    last_used_at: record.lastUsedAt,
    revoked_at: record.revokedAt,
    role: record.role,
    tenant: record.tenant,
    virtual_keys: record.virtualKeys,
    configs: record.configs,
    managed_by: record.managedBy,
    ...(usage === undefined ? {} : { current_usage: usage }),
    object: 'api-key',
  };
}

const COMMON_FIELDS = [
  'name',
  'description',
  'scopes',
  'rate_limits',
  'usage_limits',
  'defaults',
  'expires_at',
  'alert_emails',
  'virtual_keys',
  'configs',
];
const CREATE_FIELDS = spellings(
  ...COMMON_FIELDS,
  'id',
  'type',
  'sub-type',
  'workspace_id',
  'user_id',
  'tenant',
);
const UPDATE_FIELDS = spellings(...COMMON_FIELDS, 'id', 'reset_usage');

/** Portkey's fields pk keeps and returns without acting on them, merged into what is stored. */
function attributesOf(
  body: AdminBody,
  base: Readonly<Record<string, unknown>>,
): Record<string, unknown> | undefined {
  const next: Record<string, unknown> = { ...base };
  let changed = false;
  for (const [name, value] of [
    ['defaults', field(body, 'defaults')],
    ['alert_emails', field(body, 'alert_emails', 'alertEmails')],
  ] as const) {
    if (value === undefined) continue;
    next[name] = value;
    changed = true;
  }
  return changed ? next : undefined;
}

/** The fields create and update share, in the store's spelling. */
function commonInput(body: AdminBody): UpdateGatewayKeyInput {
  const entries: [string, unknown][] = [
    ['name', field(body, 'name')],
    ['description', field(body, 'description')],
    ['scopes', field(body, 'scopes')],
    ['rateLimits', field(body, 'rate_limits', 'rateLimits')],
    ['usageLimits', field(body, 'usage_limits', 'usageLimits')],
    ['expiresAt', field(body, 'expires_at', 'expiresAt')],
    ['virtualKeys', field(body, 'virtual_keys', 'virtualKeys')],
    ['configs', field(body, 'configs')],
  ];
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined)) as UpdateGatewayKeyInput;
}

interface IdParams {
  readonly id: string;
}

/**
 * Portkey's API-key admin routes (`portkey.apiKeys.*`): gateway keys. An `organisation/service` key
 * is an admin key; workspace keys are user keys whose tenant is their `workspace_id` (or pk's
 * `tenant`). The secret is in the create answer only. A delete revokes the key: it stays refused
 * everywhere and is listed with `include_revoked=true`.
 */
export async function apiKeyRoutes(
  app: FastifyInstance,
  options: { readonly store: Store; readonly usage: KeyUsage },
): Promise<void> {
  const { store, usage } = options;
  const { requireAdmin, requireScope, actorOf } = app.adminAuth;
  answerStoreErrors(app, 'PK_ERR_RECORD_NOT_FOUND');

  /** The key of the path, once the caller's scopes allow `operation` on keys of its type. */
  const keyFor = async (request: FastifyRequest<{ Params: IdParams }>, operation: string) => {
    // Before the lookup: a key whose scopes allow `operation` on no type of key is refused alike for
    // an id that exists and one that does not (a 404 would tell it which keys exist).
    requireScope(
      request,
      Object.values(KEY_TYPES).map((type) => `${type.scopePrefix}.${operation}`),
    );
    const record = await store.gatewayKeys.get(request.params.id);
    requireScope(request, [`${keyTypeOfRecord(record).scopePrefix}.${operation}`]);
    return record;
  };

  app.post<{ Params: { readonly type: string; readonly subType: string } }>(
    '/api-keys/:type/:subType',
    { preHandler: requireAdmin() },
    async (request) => {
      const type = keyTypeOf(request.params.type, request.params.subType);
      requireScope(request, [`${type.scopePrefix}.create`]);
      const body = objectBody(request.body, 'api key');
      refuseUnknownFields(body, CREATE_FIELDS, 'api key');
      const userId = field(body, 'user_id', 'userId');
      if (type.needsUser && (typeof userId !== 'string' || userId === '')) {
        throw new PkError(
          'PK_ERR_INVALID_REQUEST',
          'user_id: a workspace user key needs the user it belongs to',
          {
            param: 'user_id',
          },
        );
      }
      const workspace = field(body, 'workspace_id', 'workspaceId');
      const tenant = field(body, 'tenant') ?? (type.role === 'user' ? workspace : undefined);
      const id = field(body, 'id');
      const input: CreateGatewayKeyInput = {
        ...commonInput(body),
        ...(id === undefined ? {} : { id: id as string }),
        ...(tenant === undefined ? {} : { tenant: tenant as string }),
        role: type.role,
        attributes: {
          type: type.portkeyType,
          ...(workspace === undefined ? {} : { workspace_id: workspace }),
          ...(userId === undefined ? {} : { user_id: userId }),
          ...attributesOf(body, {}),
        },
      };
      const { record, secret } = await store.gatewayKeys.create(input, actorOf(request));
      return { id: record.id, key: secret, object: 'api-key' };
    },
  );

  app.get('/api-keys', { preHandler: requireAdmin() }, async (request) => {
    requireScope(
      request,
      Object.values(KEY_TYPES).map((type) => `${type.scopePrefix}.list`),
    );
    const query = request.query as Record<string, unknown>;
    const workspace = typeof query.workspace_id === 'string' ? query.workspace_id : undefined;
    const records = await store.gatewayKeys.list({ includeRevoked: query.include_revoked === 'true' });
    return listPageWithUsage({
      items: records.filter(
        (record) =>
          workspace === undefined || (record.attributes?.workspace_id ?? record.tenant) === workspace,
      ),
      query,
      subjectOf: usageSubjectOf,
      usage,
      object: (record, current) => portkeyApiKeyObject(record, current),
    });
  });

  app.get<{ Params: IdParams }>('/api-keys/:id', { preHandler: requireAdmin() }, async (request) => {
    const record = await keyFor(request, 'read');
    return portkeyApiKeyObject(record, await usage.read(usageSubjectOf(record)));
  });

  app.put<{ Params: IdParams }>('/api-keys/:id', { preHandler: requireAdmin() }, async (request) => {
    const record = await keyFor(request, 'update');
    const body = objectBody(request.body, 'api key');
    refuseUnknownFields(body, UPDATE_FIELDS, 'api key');
    refuseOtherRecord(body, 'id', [record.id]);
    const attributes = attributesOf(body, record.attributes ?? {});
    const reset = resetUsageRequested(body);
    const input = { ...commonInput(body), ...(attributes === undefined ? {} : { attributes }) };
    // `{ reset_usage: true }` alone changes no field: it works on the settings file's keys too.
    const updated = !reset || Object.keys(input).length > 0;
    const current = updated ? await store.gatewayKeys.update(record.id, input, actorOf(request)) : record;
    if (reset) {
      await resetKeyUsage({
        usage,
        store,
        subject: usageSubjectOf(current),
        actor: actorOf(request),
        updated,
      });
    }
    return {};
  });

  app.delete<{ Params: IdParams }>('/api-keys/:id', { preHandler: requireAdmin() }, async (request) => {
    const record = await keyFor(request, 'delete');
    await store.gatewayKeys.revoke(record.id, actorOf(request));
    return {};
  });
}
