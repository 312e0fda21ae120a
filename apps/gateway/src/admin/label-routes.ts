import { PkError } from '@pk/config';
import type { LabelRecord, Store } from '@pk/store';
import type { FastifyInstance } from 'fastify';
import { listPage, objectBody, refuseUnknownFields } from './portkey-body.js';
import { answerStoreErrors } from './store-errors.js';

/** Portkey's label object. */
export function labelObject(label: LabelRecord): Record<string, unknown> {
  return {
    id: label.id,
    name: label.name,
    description: label.description,
    color_code: label.colorCode,
    organisation_id: null,
    workspace_id: null,
    is_universal: label.isUniversal,
    status: 'active',
    created_at: label.createdAt,
    last_updated_at: label.updatedAt,
    object: 'label',
  };
}

/** What a label's body may have: its fields, and Portkey's scope ids (accepted and ignored, as workspaces are). */
const LABEL_FIELDS = new Set(['name', 'description', 'color_code', 'organisation_id', 'workspace_id']);

interface IdParams {
  readonly id: string;
}

/**
 * Portkey's prompt labels (`portkey.labels.*`, admin key, the `prompts.*` scopes): create, list
 * (`search`, `current_page`, `page_size`), retrieve, update and delete. A label points at one
 * version of each prompt (`PUT /prompts/:slug/versions/:versionId {label_id}`), named by requests as
 * `slug@label`. `production`, `staging` and `development` are in every store and cannot be changed.
 */
export async function labelRoutes(app: FastifyInstance, options: { readonly store: Store }): Promise<void> {
  const labels = options.store.labels;
  const { requireAdmin, actorOf } = app.adminAuth;
  answerStoreErrors(app, 'PK_ERR_RECORD_NOT_FOUND');

  const body = (raw: unknown) => {
    const value = objectBody(raw, 'label');
    refuseUnknownFields(value, LABEL_FIELDS, 'label');
    return value;
  };

  app.post('/labels', { preHandler: requireAdmin('prompts.create') }, async (request) => {
    const created = await labels.create(body(request.body), actorOf(request));
    return { id: created.id, object: 'label' };
  });

  app.get('/labels', { preHandler: requireAdmin('prompts.list') }, async (request) => {
    const query = request.query as Record<string, unknown>;
    const search = typeof query.search === 'string' && query.search !== '' ? query.search : undefined;
    return listPage((await labels.list({ search })).map(labelObject), query);
  });

  app.get<{ Params: IdParams }>(
    '/labels/:id',
    { preHandler: requireAdmin('prompts.read') },
    async (request) => {
      const label = await labels.get(request.params.id);
      if (label === undefined)
        throw new PkError('PK_ERR_RECORD_NOT_FOUND', `no label "${request.params.id}"`);
      return labelObject(label);
    },
  );

  app.put<{ Params: IdParams }>(
    '/labels/:id',
    { preHandler: requireAdmin('prompts.update') },
    async (request) => {
      await labels.update(request.params.id, body(request.body), actorOf(request));
      return {};
    },
  );

  app.delete<{ Params: IdParams }>(
    '/labels/:id',
    { preHandler: requireAdmin('prompts.delete') },
    async (request) => {
      await labels.delete(request.params.id, actorOf(request));
      return {};
    },
  );
}
