import { PkError, type ProviderId, providerIdSchema } from '@pk/config';
import { type IntegrationRecord, type Store, StoreError, type VirtualKeyRecord } from '@pk/store';
import type { FastifyInstance } from 'fastify';
import type { CurrentUsage, KeyUsage } from './current-usage.js';
import {
  type AdminBody,
  field,
  flag,
  listPage,
  objectBody,
  refuseUnknownFields,
  spellings,
} from './portkey-body.js';
import { answerStoreErrors } from './store-errors.js';
import { integrationFieldName, refuseStoredGatewayKey } from './stored-gateway-key.js';
import { integrationOptionsOf, providerKeyOf } from './virtual-key-fields.js';
import { keyRouteSet, portkeyVirtualKeyObject } from './virtual-key-routes.js';

/** Every field an integration create accepts, both spellings. */
const CREATE_FIELDS = spellings(
  'name',
  'slug',
  'ai_provider_id',
  'key',
  'description',
  'configurations',
  'workspace_id',
  'create_default_provider',
  'default_provider_slug',
  'secret_mappings',
);
/** Every field an integration update accepts, both spellings (`slug` is the path's). */
const UPDATE_FIELDS = spellings(
  'name',
  'key',
  'description',
  'configurations',
  'workspace_id',
  'secret_mappings',
);

/**
 * Portkey's integration object (`portkey.integrations.retrieve`): never the key, only its masked
 * form; `configurations` are the provider options that are not credentials. pk adds `secret_hints`
 * (every credential masked) and `providers` (the slugs of the providers made from it).
 */
export function portkeyIntegrationObject(record: IntegrationRecord): Record<string, unknown> {
  return {
    id: record.id,
    slug: record.slug,
    name: record.name,
    description: record.description,
    ai_provider_id: record.provider,
    status: 'active',
    masked_key: record.secretHints.api_key ?? null,
    secret_hints: record.secretHints,
    configurations: record.options,
    type: 'organisation',
    workspace_id: null,
    providers: record.providers,
    created_at: record.createdAt,
    last_updated_at: record.updatedAt,
    object: 'integration',
  };
}

/**
 * Portkey's provider object (`portkey.providers.retrieve`): a virtual key's, whose `integration_id`
 * is the slug of the integration it was made from (null for a virtual key made on its own).
 */
export function portkeyProviderObject(
  record: VirtualKeyRecord,
  now: number,
  usage?: CurrentUsage,
): Record<string, unknown> {
  return { ...portkeyVirtualKeyObject(record, now, usage), object: 'provider' };
}

/** Secret references (Portkey's `secret_mappings`) need a secret manager pk does not have. */
function refuseSecretMappings(body: AdminBody): void {
  const mappings = field(body, 'secret_mappings', 'secretMappings');
  if (mappings === undefined || mappings === null || (Array.isArray(mappings) && mappings.length === 0))
    return;
  throw new PkError(
    'PK_ERR_INVALID_REQUEST',
    'secret_mappings: pk keeps the key itself, encrypted in its vault; send it as "key"',
    { param: 'secret_mappings' },
  );
}

function stringField(body: AdminBody, name: string, ...spelled: readonly string[]): string | undefined {
  const value = field(body, name, ...spelled);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new PkError('PK_ERR_INVALID_REQUEST', `${name}: expected a string`, { param: name });
  }
  return value;
}

/** `ai_provider_id`: one of pk's provider ids, else a 400 naming the field. */
function aiProviderIdOf(body: AdminBody): ProviderId {
  const value = field(body, 'ai_provider_id', 'aiProviderId');
  const parsed = providerIdSchema.safeParse(value);
  if (!parsed.success) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      `ai_provider_id: ${value === undefined ? 'required' : `unknown provider ${JSON.stringify(value)}`}: expected a provider id such as "openai", "anthropic" or "azure-openai"`,
      { param: 'ai_provider_id' },
    );
  }
  return parsed.data;
}

interface SlugParams {
  readonly slug: string;
}

/**
 * Portkey's model catalog (`portkey.integrations.*`, `portkey.providers.*`): an integration holds a
 * provider's key and configuration once; providers are made from it, each a virtual key with its own
 * slug, limits and expiry that requests name (`@slug/model`, `x-portkey-provider: @slug`). Creating
 * an integration makes a provider of the same slug unless `create_default_provider` is false. A new
 * key or configuration reaches every provider of the integration at once; an integration is deleted
 * once its providers are. `/providers` is the virtual keys under the newer name: it lists them all,
 * and a provider is read, changed and deleted as a virtual key is.
 */
export async function integrationRoutes(
  app: FastifyInstance,
  options: { readonly store: Store; readonly usage: KeyUsage },
): Promise<void> {
  const { store } = options;
  const { requireAdmin, actorOf } = app.adminAuth;

  await app.register(async (scope) => {
    answerStoreErrors(scope, 'PK_ERR_RECORD_NOT_FOUND');

    scope.post('/integrations', { preHandler: requireAdmin('integrations.create') }, async (request) => {
      const body = objectBody(request.body, 'integration');
      refuseUnknownFields(body, CREATE_FIELDS, 'integration');
      refuseSecretMappings(body);
      const apiKey = providerKeyOf(body);
      const options = integrationOptionsOf(body.configurations, false);
      refuseStoredGatewayKey({ apiKey, options }, store.catalog.snapshot, (name) =>
        integrationFieldName(body, name),
      );
      const createDefault = flag(
        field(body, 'create_default_provider', 'createDefaultProvider'),
        'create_default_provider',
      );
      const defaultSlug = stringField(body, 'default_provider_slug', 'defaultProviderSlug');
      const record = await store.integrations.create(
        {
          name: body.name as string,
          provider: aiProviderIdOf(body),
          ...(body.slug === undefined ? {} : { slug: body.slug as string }),
          ...(body.description === undefined ? {} : { description: body.description as string | null }),
          ...(apiKey === undefined || apiKey === null ? {} : { apiKey }),
          ...(Object.keys(options).length > 0 ? { options: options as Record<string, string> } : {}),
          defaultProvider:
            createDefault === false ? null : defaultSlug === undefined ? {} : { slug: defaultSlug },
        },
        actorOf(request),
      );
      return { id: record.id, slug: record.slug, object: 'integration' };
    });

    scope.get('/integrations', { preHandler: requireAdmin('integrations.list') }, async (request) => {
      const page = listPage(await store.integrations.list(), request.query as Record<string, unknown>);
      return { ...page, data: page.data.map(portkeyIntegrationObject) };
    });

    scope.get<{ Params: SlugParams }>(
      '/integrations/:slug',
      { preHandler: requireAdmin('integrations.read') },
      async (request) => portkeyIntegrationObject(await store.integrations.get(request.params.slug)),
    );

    scope.put<{ Params: SlugParams }>(
      '/integrations/:slug',
      { preHandler: requireAdmin('integrations.update') },
      async (request) => {
        const body = objectBody(request.body, 'integration');
        refuseUnknownFields(body, UPDATE_FIELDS, 'integration');
        refuseSecretMappings(body);
        const apiKey = providerKeyOf(body);
        const options = integrationOptionsOf(body.configurations, true);
        refuseStoredGatewayKey({ apiKey, options }, store.catalog.snapshot, (name) =>
          integrationFieldName(body, name),
        );
        const record = await store.integrations.update(
          request.params.slug,
          {
            ...(body.name === undefined ? {} : { name: body.name as string }),
            ...(body.description === undefined ? {} : { description: body.description as string | null }),
            ...(apiKey === undefined ? {} : { apiKey }),
            ...(Object.keys(options).length > 0 ? { options } : {}),
          },
          actorOf(request),
        );
        return { id: record.id, slug: record.slug, object: 'integration' };
      },
    );

    scope.delete<{ Params: SlugParams }>(
      '/integrations/:slug',
      { preHandler: requireAdmin('integrations.delete') },
      async (request) => {
        await store.integrations.delete(request.params.slug, actorOf(request));
        return {};
      },
    );
  });

  await app.register(async (scope) => {
    await keyRouteSet(scope, options, {
      path: '/providers',
      what: 'provider',
      object: 'provider',
      scopes: (operation) => [`providers.${operation}`, `virtual_keys.${operation}`],
      create: (body, actor) => {
        const integration = field(body, 'integration_id', 'integrationId');
        if (typeof integration !== 'string' || integration === '') {
          throw new PkError(
            'PK_ERR_INVALID_REQUEST',
            'integration_id: expected the slug of the integration the provider uses (create one with POST /v1/integrations)',
            { param: 'integration_id' },
          );
        }
        return store.integrations.createProvider(providerInputOf(body, integration), actor).catch((error) => {
          // An integration_id that names none is the body's fault, not a missing provider.
          if (error instanceof StoreError && error.code === 'not_found') {
            throw new PkError('PK_ERR_INVALID_REQUEST', `integration_id: ${error.message}`, {
              param: 'integration_id',
            });
          }
          throw error;
        });
      },
      objectOf: portkeyProviderObject,
    });
  });
}

/** Every field a provider create accepts, both spellings. */
const PROVIDER_FIELDS = spellings(
  'name',
  'slug',
  'integration_id',
  'note',
  'usage_limits',
  'rate_limits',
  'expires_at',
  'workspace_id',
  'model_config',
);

/** A Portkey `POST /v1/providers` body as the store's input. */
function providerInputOf(
  body: AdminBody,
  integration: string,
): Parameters<Store['integrations']['createProvider']>[0] {
  refuseUnknownFields(body, PROVIDER_FIELDS, 'provider');
  const modelConfig = field(body, 'model_config', 'modelConfig');
  if (modelConfig !== undefined && modelConfig !== null && Object.keys(modelConfig as object).length > 0) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      'model_config: pk has no model configuration on providers; name the model in the request or a config',
      { param: 'model_config' },
    );
  }
  const entries: [string, unknown][] = [
    ['name', body.name],
    ['slug', body.slug],
    ['note', body.note],
    ['usageLimits', field(body, 'usage_limits', 'usageLimits')],
    ['rateLimits', field(body, 'rate_limits', 'rateLimits')],
    ['expiresAt', field(body, 'expires_at', 'expiresAt')],
  ];
  return {
    integration,
    ...Object.fromEntries(entries.filter(([, value]) => value !== undefined)),
  } as Parameters<Store['integrations']['createProvider']>[0];
}
