import { describeValue, PkError } from '@pk/config';
import type { PromptRecord, PromptRepository, PromptVersionRecord, Store, WriteBasis } from '@pk/store';
import type { FastifyInstance } from 'fastify';
import { actorKeysOf } from './actor-keys.js';
import { checkedWrite, MISSING_VIRTUAL_KEY, virtualKeyExists } from './config-references.js';
import { checkPartialPartials, checkPartialPublish, checkPromptPartials } from './included-partials.js';
import { partialIncluders } from './partial-references.js';
import { listPage, objectBody } from './portkey-body.js';
import { answerStoreErrors } from './store-errors.js';

/** A version's content as Portkey's prompt objects carry it (a prompt's, or one of its versions'). */
function promptContent(version: PromptVersionRecord): Record<string, unknown> {
  return {
    string: version.template,
    parameters: version.parameters,
    model: version.model,
    virtual_key: version.virtualKey,
    functions: version.functions,
    tools: version.tools,
    tool_choice: version.toolChoice ?? null,
    template_metadata: version.templateMetadata,
  };
}

/** The labels pointing at a version, as the store's `labelsOf` answers them. */
type VersionLabels = ReadonlyMap<string, readonly { readonly id: string; readonly name: string }[]>;

/**
 * One version as Portkey's version routes return it: `label_id` one label pointing at it (Portkey's
 * versions carry one) and pk's `labels`, all of them.
 */
export function promptVersionObject(
  version: PromptVersionRecord,
  labels: VersionLabels = new Map(),
): Record<string, unknown> {
  const own = labels.get(version.id) ?? [];
  return {
    id: version.id,
    prompt_id: version.promptId,
    prompt_version: version.version,
    ...promptContent(version),
    prompt_version_description: version.description,
    label_id: own[0]?.id ?? null,
    labels: own.map((label) => label.name),
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
    ...promptContent(published),
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

interface SlugParams {
  readonly slug: string;
}

/** `the prompt "a"`, `the prompts "b", "c"`: what uses a record, for its conflict's message. */
function named(kind: string, slugs: readonly string[]): string[] {
  if (slugs.length === 0) return [];
  return [`the ${kind}${slugs.length > 1 ? 's' : ''} ${slugs.map((slug) => `"${slug}"`).join(', ')}`];
}

/**
 * A prompt's `virtual_key` must name a virtual key (or provider) that exists, as a saved config's
 * must: a prompt naming a missing one would answer every run with a 404.
 */
async function checkPromptVirtualKey(store: Store, body: Readonly<Record<string, unknown>>): Promise<void> {
  const value = body.virtual_key;
  // Anything but a non-empty string is the store's to refuse (or, for null, clears the key).
  if (typeof value !== 'string' || value === '' || value === '@') return;
  const slug = value.startsWith('@') ? value.slice(1) : value;
  // Run through checkedWrite: the snapshot holds every write made before, another replica's delete included.
  if (virtualKeyExists(store.catalog.snapshot, slug)) return;
  throw new PkError(
    'PK_ERR_INVALID_REQUEST',
    `invalid prompt: virtual_key: ${MISSING_VIRTUAL_KEY} ${describeValue(slug)}`,
    { param: 'virtual_key' },
  );
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

/** What one kind of the library (prompts, partials) serves under its path, in Portkey's shapes. */
interface LibraryRoutes {
  readonly path: string;
  readonly noun: string;
  readonly repository: PromptRepository;
  readonly object: 'prompt' | 'prompt_partial';
  readonly record: (record: PromptRecord) => Record<string, unknown>;
  readonly listItem: (record: PromptRecord) => Record<string, unknown>;
  readonly version: (version: PromptVersionRecord, labels?: VersionLabels) => Record<string, unknown>;
  /** Whether labels point at its versions (prompts; not partials). */
  readonly labelled?: boolean;
  /** `list`'s options from the query (prompts: `collection_id`, `search`). */
  readonly listOptions?: (
    query: Readonly<Record<string, unknown>>,
  ) => Parameters<PromptRepository['list']>[0];
  /** What an update answers, besides `id`, `slug` and `object`: the new version in the kind's names. */
  readonly updated: (record: PromptRecord) => Promise<Record<string, unknown>>;
  /**
   * Refuses a create or update body the store would keep but requests could not run (a 400);
   * `reference` is the record an update names (absent for a create).
   */
  readonly checkBody?: (body: Readonly<Record<string, unknown>>, reference?: string) => Promise<void>;
  /** Refuses publishing a version requests could not run (a 400). */
  readonly checkPublish?: (reference: string, version: number) => Promise<void>;
  /** Refuses deleting a record that requests still run through (a 409 naming what uses it). */
  readonly checkDelete?: (record: PromptRecord) => Promise<void>;
}

/**
 * Create, list, retrieve, update (a new version; the published one stays until `publish`), delete,
 * publish (`PUT …/:slug/makeDefault`) and the versions of one kind. The store finds a record by slug or
 * id and answers `not_found` itself, so the writes make no read before them.
 */
function libraryRoutes(app: FastifyInstance, store: Store, kind: LibraryRoutes): void {
  const { requireAdmin, actorOf } = app.adminAuth;
  const { path, repository, checkBody, checkPublish } = kind;
  /** Runs `write` after `check`, as one step with it (see {@link checkedWrite}); alone when there is none. */
  const checkedIf = <T>(
    check: (() => Promise<void>) | undefined,
    write: (basis: WriteBasis) => Promise<T>,
  ): Promise<T> =>
    check === undefined
      ? write({})
      : checkedWrite(store, async (basis) => {
          await check();
          return write(basis);
        });

  app.post(path, { preHandler: requireAdmin('prompts.create') }, async (request) => {
    const body = objectBody(request.body, kind.noun);
    const record = await checkedIf(checkBody && (() => checkBody(body)), (basis) =>
      repository.create(body, actorOf(request), basis),
    );
    return { id: record.id, slug: record.slug, version_id: record.published.id, object: kind.object };
  });

  app.get(path, { preHandler: requireAdmin('prompts.list') }, async (request) => {
    const query = request.query as Record<string, unknown>;
    return listPage((await repository.list(kind.listOptions?.(query))).map(kind.listItem), query);
  });

  app.get<{ Params: SlugParams }>(
    `${path}/:slug`,
    { preHandler: requireAdmin('prompts.read') },
    async (request) => {
      const record = await repository.get(request.params.slug);
      if (record === undefined) {
        throw new PkError('PK_ERR_RECORD_NOT_FOUND', `no ${kind.noun} "${request.params.slug}"`);
      }
      return kind.record(record);
    },
  );

  app.put<{ Params: SlugParams }>(
    `${path}/:slug`,
    { preHandler: requireAdmin('prompts.update') },
    async (request) => {
      const body = objectBody(request.body, kind.noun);
      const check = checkBody && (() => checkBody(body, request.params.slug));
      const record = await checkedIf(check, (basis) =>
        repository.update(request.params.slug, body, actorOf(request), basis),
      );
      return { id: record.id, slug: record.slug, ...(await kind.updated(record)), object: kind.object };
    },
  );

  app.delete<{ Params: SlugParams }>(
    `${path}/:slug`,
    { preHandler: requireAdmin('prompts.delete') },
    async (request) => {
      const { checkDelete } = kind;
      const check =
        checkDelete &&
        (async () => {
          const record = await repository.get(request.params.slug);
          if (record === undefined) {
            throw new PkError('PK_ERR_RECORD_NOT_FOUND', `no ${kind.noun} "${request.params.slug}"`);
          }
          await checkDelete(record);
        });
      await checkedIf(check, (basis) => repository.delete(request.params.slug, actorOf(request), basis));
      return {};
    },
  );

  app.put<{ Params: SlugParams }>(
    `${path}/:slug/makeDefault`,
    { preHandler: requireAdmin(['prompts.publish', 'prompts.update']) },
    async (request) => {
      const version = versionToPublish(request.body);
      const check = checkPublish && (() => checkPublish(request.params.slug, version));
      await checkedIf(check, (basis) =>
        repository.publish(request.params.slug, version, actorOf(request), basis),
      );
      return {};
    },
  );

  app.get<{ Params: SlugParams }>(
    `${path}/:slug/versions`,
    { preHandler: requireAdmin('prompts.read') },
    async (request) => {
      const versions = await repository.versions(request.params.slug);
      const labels = kind.labelled ? await repository.labelsOf(request.params.slug) : new Map();
      const actorKeys = await actorKeysOf(
        store,
        versions.map((version) => version.createdBy),
      );
      return listPage(
        versions.map((version) => ({
          ...kind.version(version, labels),
          // pk's: the gateway key `created_by` names, with its name (as a config version's).
          created_by_key: actorKeys.get(version.createdBy) ?? null,
        })),
        request.query as Record<string, unknown>,
      );
    },
  );
}

/**
 * Portkey's prompt library (`portkey.prompts.*`) and the partials prompts include as `{{>slug}}`
 * (`portkey.prompts.partials.*`, versioned and published like prompts; their static `partials`
 * segment wins over `/prompts/:slug`); labels point at versions (`label-routes.ts`); a prompt's
 * `collection_id` names a collection (`collection-routes.ts`) by id or slug. A template is
 * stored as written; `/prompts/:id/completions` and `/render` fill it in (`prompt-inference-routes.ts`).
 */
export async function promptRoutes(app: FastifyInstance, options: { readonly store: Store }): Promise<void> {
  const { store } = options;
  const { requireAdmin, actorOf } = app.adminAuth;
  answerStoreErrors(app, 'PK_ERR_RECORD_NOT_FOUND');

  libraryRoutes(app, store, {
    path: '/prompts/partials',
    noun: 'prompt partial',
    repository: store.promptPartials,
    object: 'prompt_partial',
    record: promptPartialObject,
    listItem: promptPartialObject,
    version: promptPartialVersionObject,
    updated: async (record) => ({ version: record.latestVersion }),
    // A partial including one that does not exist, or itself (through others too), would make the
    // runs of every prompt including it a 400; so would publishing a version that does.
    checkBody: (body, reference) => checkPartialPartials(store, body, reference),
    checkPublish: (reference, version) => checkPartialPublish(store, reference, version),
    // Deleting a partial a prompt runs, directly or through other partials, would make its runs a 400.
    checkDelete: async (record) => {
      const { prompts, through } = await partialIncluders(store, record);
      if (prompts.length === 0) return;
      const via = through.length === 0 ? '' : ` (through ${named('prompt partial', through).join('')})`;
      throw new PkError(
        'PK_ERR_CONFLICT',
        `the prompt partial "${record.slug}" is included by ${named('prompt', prompts).join('')}${via}: change or delete ${
          prompts.length > 1 ? 'them' : 'it'
        } first`,
      );
    },
  });

  libraryRoutes(app, store, {
    path: '/prompts',
    noun: 'prompt',
    repository: store.prompts,
    object: 'prompt',
    record: promptObject,
    listItem: promptListItem,
    version: promptVersionObject,
    labelled: true,
    listOptions: (query) => ({
      ...(typeof query.collection_id === 'string' ? { collectionId: query.collection_id } : {}),
      ...(typeof query.search === 'string' ? { search: query.search } : {}),
    }),
    updated: async (record) => ({
      prompt_version_id: (await store.prompts.version(record.id, record.latestVersion))?.id ?? null,
      prompt_version: record.latestVersion,
    }),
    checkBody: async (body) => {
      await checkPromptVirtualKey(store, body);
      await checkPromptPartials(store, body);
    },
  });

  app.get<{ Params: SlugParams & { readonly versionId: string } }>(
    '/prompts/:slug/versions/:versionId',
    { preHandler: requireAdmin('prompts.read') },
    async (request) => {
      const { slug, versionId } = request.params;
      const version = await store.prompts.version(
        slug,
        /^\d+$/.test(versionId) ? Number(versionId) : versionId,
      );
      if (version === undefined) {
        throw new PkError('PK_ERR_RECORD_NOT_FOUND', `no prompt "${slug}" with a version "${versionId}"`);
      }
      return promptVersionObject(version, await store.prompts.labelsOf(slug));
    },
  );

  // Portkey's only change to a version: the label pointing at it (`portkey.prompts.versions.update`).
  app.put<{ Params: SlugParams & { readonly versionId: string } }>(
    '/prompts/:slug/versions/:versionId',
    { preHandler: requireAdmin('prompts.update') },
    async (request) => {
      const { slug, versionId } = request.params;
      const body = objectBody(request.body, 'prompt version');
      const unknown = Object.keys(body).filter((key) => key !== 'label_id');
      if (unknown.length > 0)
        throw new PkError(
          'PK_ERR_INVALID_REQUEST',
          `prompt version: only label_id can change (a version's content is immutable: update the prompt for a new version); got ${unknown.join(', ')}`,
          { param: unknown[0] ?? null },
        );
      if (typeof body.label_id !== 'string' || body.label_id === '')
        throw new PkError('PK_ERR_INVALID_REQUEST', 'label_id: expected the id (or name) of a label', {
          param: 'label_id',
        });
      await store.prompts.label(
        slug,
        /^\d+$/.test(versionId) ? Number(versionId) : versionId,
        body.label_id,
        actorOf(request),
      );
      return {};
    },
  );
}
