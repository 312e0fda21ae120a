import { PkError } from '@pk/config';
import type { CollectionRecord, Store } from '@pk/store';
import type { FastifyInstance } from 'fastify';
import { listPage, objectBody, refuseUnknownFields } from './portkey-body.js';
import { answerStoreErrors } from './store-errors.js';

/** Portkey's collection object, with what it holds (`collection_details`). */
export function collectionObject(collection: CollectionRecord): Record<string, unknown> {
  return {
    id: collection.id,
    name: collection.name,
    slug: collection.slug,
    workspace_id: null,
    parent_collection_id: collection.parentId,
    is_default: false,
    status: 'active',
    created_at: collection.createdAt,
    last_updated_at: collection.updatedAt,
    collection_details: {
      prompts_count: collection.contents.promptsCount,
      child_collections_count: collection.contents.childCollectionsCount,
      prompts_last_updated_at: collection.contents.promptsUpdatedAt,
      child_collections_last_updated_at: collection.contents.childCollectionsUpdatedAt,
    },
    object: 'collection',
  };
}

/** What a collection's body may have: its fields, and Portkey's workspace (accepted and ignored). */
const CREATE_FIELDS = new Set(['name', 'parent_collection_id', 'workspace_id']);
const UPDATE_FIELDS = new Set(['name']);

interface IdParams {
  readonly id: string;
}

/**
 * Portkey's prompt collections (`portkey.collections.*`, admin key, the `prompts.*` scopes): create
 * (`name`, `parent_collection_id`), list (`search`, `parent_collection_id`, `current_page`,
 * `page_size`; `workspace_id` ignored), retrieve (with its `child_collections`), update (`name`) and
 * delete (an empty one). A prompt is in the collection its `collection_id` names, by id or slug.
 */
export async function collectionRoutes(
  app: FastifyInstance,
  options: { readonly store: Store },
): Promise<void> {
  const collections = options.store.collections;
  const { requireAdmin, actorOf } = app.adminAuth;
  answerStoreErrors(app, 'PK_ERR_RECORD_NOT_FOUND');

  const body = (raw: unknown, fields: ReadonlySet<string>) => {
    const value = objectBody(raw, 'collection');
    refuseUnknownFields(value, fields, 'collection');
    return value;
  };

  app.post('/collections', { preHandler: requireAdmin('prompts.create') }, async (request) => {
    const created = await collections.create(body(request.body, CREATE_FIELDS), actorOf(request));
    return { id: created.id, slug: created.slug, object: 'collection' };
  });

  app.get('/collections', { preHandler: requireAdmin('prompts.list') }, async (request) => {
    const query = request.query as Record<string, unknown>;
    const text = (name: string) =>
      typeof query[name] === 'string' && query[name] !== '' ? (query[name] as string) : undefined;
    const found = await collections.list({
      search: text('search'),
      parentId: text('parent_collection_id'),
    });
    return listPage(found.map(collectionObject), query);
  });

  app.get<{ Params: IdParams }>(
    '/collections/:id',
    { preHandler: requireAdmin('prompts.read') },
    async (request) => {
      const collection = await collections.get(request.params.id);
      if (collection === undefined)
        throw new PkError('PK_ERR_RECORD_NOT_FOUND', `no collection "${request.params.id}"`);
      const children = await collections.list({ parentId: collection.id });
      return {
        ...collectionObject(collection),
        child_collections: children.map((child) => ({
          id: child.id,
          name: child.name,
          slug: child.slug,
          last_updated_at: child.updatedAt,
          collection_details: collectionObject(child).collection_details,
        })),
      };
    },
  );

  app.put<{ Params: IdParams }>(
    '/collections/:id',
    { preHandler: requireAdmin('prompts.update') },
    async (request) => {
      await collections.update(request.params.id, body(request.body, UPDATE_FIELDS), actorOf(request));
      return {};
    },
  );

  app.delete<{ Params: IdParams }>(
    '/collections/:id',
    { preHandler: requireAdmin('prompts.delete') },
    async (request) => {
      await collections.delete(request.params.id, actorOf(request));
      return {};
    },
  );
}
