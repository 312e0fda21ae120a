import { PkError } from '@pk/config';
import type { PromptRecord, PromptVersionRecord, Store } from '@pk/store';
import type { FastifyInstance } from 'fastify';
import { listPage, objectBody } from './portkey-body.js';
import { answerStoreErrors } from './store-errors.js';

/** One version as Portkey's version routes return it. */
export function promptVersionObject(version: PromptVersionRecord): Record<string, unknown> {
  return {
    id: version.id,
    prompt_id: version.promptId,
    prompt_version: version.version,
    string: version.template,
    parameters: version.parameters,
    model: version.model,
    virtual_key: version.virtualKey,
    functions: version.functions,
    tools: version.tools,
    tool_choice: version.toolChoice ?? null,
    prompt_version_description: version.description,
    template_metadata: version.templateMetadata,
    created_at: version.createdAt,
    created_by: version.createdBy,
    object: 'prompt_version',
  };
}

/** Portkey's prompt object (`portkey.prompts.retrieve`): the prompt with its published version's content. */
export function promptObject(record: PromptRecord): Record<string, unknown> {
  const published = record.published;
  return {
    id: record.id,
    slug: record.slug,
    name: record.name,
    collection_id: record.collectionId,
    status: record.status,
    string: published.template,
    parameters: published.parameters,
    model: published.model,
    virtual_key: published.virtualKey,
    functions: published.functions,
    tools: published.tools,
    tool_choice: published.toolChoice ?? null,
    template_metadata: published.templateMetadata,
    prompt_version: published.version,
    prompt_version_id: published.id,
    prompt_version_description: published.description,
    latest_version: record.latestVersion,
    created_at: record.createdAt,
    last_updated_at: record.updatedAt,
    object: 'prompt',
  };
}

/** A list row (`portkey.prompts.list`). */
function promptListItem(record: PromptRecord): Record<string, unknown> {
  return {
    id: record.id,
    slug: record.slug,
    name: record.name,
    collection_id: record.collectionId,
    model: record.published.model,
    status: record.status,
    prompt_version: record.publishedVersion,
    latest_version: record.latestVersion,
    created_at: record.createdAt,
    last_updated_at: record.updatedAt,
    object: 'prompt',
  };
}

interface SlugParams {
  readonly slug: string;
}

/** The `version` of a publish body (`{ "version": 2 }`), else a 400 naming it. */
function versionToPublish(body: unknown): number {
  const version = objectBody(body, 'publish').version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new PkError('PK_ERR_INVALID_REQUEST', 'version: expected the version number to publish (1, 2 …)', {
      param: 'version',
    });
  }
  return version;
}

async function promptOrNotFound(store: Store, slug: string): Promise<PromptRecord> {
  const record = await store.prompts.get(slug);
  if (record === undefined) throw new PkError('PK_ERR_RECORD_NOT_FOUND', `no prompt "${slug}"`);
  return record;
}

/**
 * Portkey's prompt library (`portkey.prompts.*`): create (version 1, published), list, retrieve (the
 * published version's content), update (a new version when the template or a parameter changes; the
 * published one stays until `publish`), delete, publish (`PUT /prompts/:slug/makeDefault`) and the
 * versions, and the partials prompts include (below). Labels and collections of their own stay 501. The template is stored as
 * written; it is filled in by `/prompts/:id/completions` and `/render` (`prompt-inference-routes.ts`).
 */
export async function promptRoutes(app: FastifyInstance, options: { readonly store: Store }): Promise<void> {
  const { store } = options;
  const { requireAdmin, actorOf } = app.adminAuth;
  answerStoreErrors(app, 'PK_ERR_RECORD_NOT_FOUND');

  // `/prompts/partials…` are Portkey's partials, not a prompt slugged "partials".
  await partialRoutes(app, store);

  app.post('/prompts', { preHandler: requireAdmin('prompts.create') }, async (request) => {
    const record = await store.prompts.create(objectBody(request.body, 'prompt'), actorOf(request));
    return { id: record.id, slug: record.slug, version_id: record.published.id, object: 'prompt' };
  });

  app.get('/prompts', { preHandler: requireAdmin('prompts.list') }, async (request) => {
    const query = request.query as Record<string, unknown>;
    const records = await store.prompts.list({
      ...(typeof query.collection_id === 'string' ? { collectionId: query.collection_id } : {}),
      ...(typeof query.search === 'string' ? { search: query.search } : {}),
    });
    return listPage(records.map(promptListItem), query);
  });

  app.get<{ Params: SlugParams }>(
    '/prompts/:slug',
    { preHandler: requireAdmin('prompts.read') },
    async (request) => promptObject(await promptOrNotFound(store, request.params.slug)),
  );

  app.put<{ Params: SlugParams }>(
    '/prompts/:slug',
    { preHandler: requireAdmin('prompts.update') },
    async (request) => {
      const current = await promptOrNotFound(store, request.params.slug);
      const record = await store.prompts.update(
        current.id,
        objectBody(request.body, 'prompt'),
        actorOf(request),
      );
      const latest = await store.prompts.version(record.id, record.latestVersion);
      return {
        id: record.id,
        slug: record.slug,
        prompt_version_id: latest?.id ?? null,
        prompt_version: record.latestVersion,
        object: 'prompt',
      };
    },
  );

  app.delete<{ Params: SlugParams }>(
    '/prompts/:slug',
    { preHandler: requireAdmin('prompts.delete') },
    async (request) => {
      const current = await promptOrNotFound(store, request.params.slug);
      await store.prompts.delete(current.id, actorOf(request));
      return {};
    },
  );

  app.put<{ Params: SlugParams }>(
    '/prompts/:slug/makeDefault',
    { preHandler: requireAdmin(['prompts.publish', 'prompts.update']) },
    async (request) => {
      const version = versionToPublish(request.body);
      const current = await promptOrNotFound(store, request.params.slug);
      await store.prompts.publish(current.id, version, actorOf(request));
      return {};
    },
  );

  app.get<{ Params: SlugParams }>(
    '/prompts/:slug/versions',
    { preHandler: requireAdmin('prompts.read') },
    async (request) => {
      const current = await promptOrNotFound(store, request.params.slug);
      const versions = await store.prompts.versions(current.id);
      return listPage((versions ?? []).map(promptVersionObject), request.query as Record<string, unknown>);
    },
  );

  app.get<{ Params: SlugParams & { readonly versionId: string } }>(
    '/prompts/:slug/versions/:versionId',
    { preHandler: requireAdmin('prompts.read') },
    async (request) => {
      const current = await promptOrNotFound(store, request.params.slug);
      const { versionId } = request.params;
      const version = await store.prompts.version(
        current.id,
        /^\d+$/.test(versionId) ? Number(versionId) : versionId,
      );
      if (version === undefined) {
        throw new PkError(
          'PK_ERR_RECORD_NOT_FOUND',
          `the prompt "${current.slug}" has no version "${versionId}"`,
        );
      }
      return promptVersionObject(version);
    },
  );
}

/** Portkey's prompt partial object (`portkey.prompts.partials.retrieve`): its published version. */
export function promptPartialObject(record: PromptRecord): Record<string, unknown> {
  return {
    id: record.id,
    slug: record.slug,
    name: record.name,
    string: record.published.template,
    status: record.status,
    version: record.publishedVersion,
    latest_version: record.latestVersion,
    prompt_partial_version_id: record.published.id,
    version_description: record.published.description,
    created_at: record.createdAt,
    last_updated_at: record.updatedAt,
    object: 'prompt_partial',
  };
}

/** One version of a partial. */
function promptPartialVersionObject(version: PromptVersionRecord): Record<string, unknown> {
  return {
    id: version.id,
    prompt_partial_id: version.promptId,
    version: version.version,
    string: version.template,
    description: version.description,
    created_at: version.createdAt,
    created_by: version.createdBy,
    object: 'prompt_partial_version',
  };
}

/**
 * Portkey's prompt partials (`portkey.prompts.partials.*`): templates prompts include as
 * `{{>slug}}`, versioned and published like prompts (a prompt run includes a partial's published
 * version, `{{>slug@2}}` a numbered one). Their static `partials` segment wins over `/prompts/:slug`.
 */
async function partialRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const { requireAdmin, actorOf } = app.adminAuth;
  const partialOrNotFound = async (slug: string): Promise<PromptRecord> => {
    const record = await store.promptPartials.get(slug);
    if (record === undefined) throw new PkError('PK_ERR_RECORD_NOT_FOUND', `no prompt partial "${slug}"`);
    return record;
  };
  const path = '/prompts/partials';

  app.post(path, { preHandler: requireAdmin('prompts.create') }, async (request) => {
    const record = await store.promptPartials.create(
      objectBody(request.body, 'prompt partial'),
      actorOf(request),
    );
    return { id: record.id, slug: record.slug, version_id: record.published.id, object: 'prompt_partial' };
  });

  app.get(path, { preHandler: requireAdmin('prompts.list') }, async (request) =>
    listPage(
      (await store.promptPartials.list()).map(promptPartialObject),
      request.query as Record<string, unknown>,
    ),
  );

  app.get<{ Params: SlugParams }>(
    `${path}/:slug`,
    { preHandler: requireAdmin('prompts.read') },
    async (request) => promptPartialObject(await partialOrNotFound(request.params.slug)),
  );

  app.put<{ Params: SlugParams }>(
    `${path}/:slug`,
    { preHandler: requireAdmin('prompts.update') },
    async (request) => {
      const current = await partialOrNotFound(request.params.slug);
      const record = await store.promptPartials.update(
        current.id,
        objectBody(request.body, 'prompt partial'),
        actorOf(request),
      );
      return { id: record.id, slug: record.slug, version: record.latestVersion, object: 'prompt_partial' };
    },
  );

  app.delete<{ Params: SlugParams }>(
    `${path}/:slug`,
    { preHandler: requireAdmin('prompts.delete') },
    async (request) => {
      const current = await partialOrNotFound(request.params.slug);
      await store.promptPartials.delete(current.id, actorOf(request));
      return {};
    },
  );

  app.put<{ Params: SlugParams }>(
    `${path}/:slug/makeDefault`,
    { preHandler: requireAdmin(['prompts.publish', 'prompts.update']) },
    async (request) => {
      const current = await partialOrNotFound(request.params.slug);
      await store.promptPartials.publish(current.id, versionToPublish(request.body), actorOf(request));
      return {};
    },
  );

  app.get<{ Params: SlugParams }>(
    `${path}/:slug/versions`,
    { preHandler: requireAdmin('prompts.read') },
    async (request) => {
      const current = await partialOrNotFound(request.params.slug);
      const versions = await store.promptPartials.versions(current.id);
      return listPage(versions.map(promptPartialVersionObject), request.query as Record<string, unknown>);
    },
  );
}
