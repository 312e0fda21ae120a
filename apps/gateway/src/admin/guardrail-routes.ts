import { PkError } from '@pk/config';
import type { GuardrailRecord, Store, StoreIssue } from '@pk/store';
import type { FastifyInstance } from 'fastify';
import type { GatewayGuardrails } from '../guardrails/gateway-guardrails.js';
import { checkedWrite } from './config-references.js';
import {
  type AdminBody,
  field,
  listPage,
  objectBody,
  refuseOtherRecord,
  refuseUnknownFields,
  spellings,
} from './portkey-body.js';
import { answerStoreErrors } from './store-errors.js';

/** Hook fields that Portkey's guardrail API puts under `actions`. */
const ACTION_FIELDS = ['deny', 'async', 'on_success', 'on_fail'] as const;
/** Hook fields of the raw form besides the actions. */
const HOOK_FIELDS = ['type', 'checks', 'sequential'] as const;
/** Every spelling of the fields a whole `definition` replaces. */
const HOOK_SPELLINGS = spellings('actions', ...HOOK_FIELDS, ...ACTION_FIELDS);
const FIELDS = spellings(
  'name',
  'slug',
  'actions',
  'workspace_id',
  'organisation_id',
  'guardrail_id',
  'status',
  'definition',
  ...HOOK_FIELDS,
  ...ACTION_FIELDS,
);

/**
 * The hook fields a body sets (a change merges them over the stored hook): Portkey's guardrail
 * shape (`checks`, `actions: { deny, async, on_success, on_fail }`) or the raw hook form of the
 * settings file (`type`, `checks`, `deny`, `async`, `sequential`, `on_fail`, `on_success` at the
 * top level); pk's whole `definition` alone; `undefined` when the body changes none of them.
 */
function definitionOf(body: AdminBody): Record<string, unknown> | undefined {
  const whole = field(body, 'definition');
  if (whole !== undefined) return wholeDefinition(body, whole);
  const actions = field(body, 'actions');
  if (actions !== undefined && (typeof actions !== 'object' || actions === null || Array.isArray(actions))) {
    throw new PkError('PK_ERR_INVALID_REQUEST', 'actions: expected { deny, async, on_success, on_fail }', {
      param: 'actions',
    });
  }
  const next: Record<string, unknown> = {};
  let changed = false;
  const set = (name: string, value: unknown): void => {
    if (value === undefined) return;
    next[name] = value;
    changed = true;
  };
  for (const name of HOOK_FIELDS) set(name, field(body, name));
  for (const name of ACTION_FIELDS) {
    const camel = name.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
    set(name, (actions as AdminBody | undefined)?.[name] ?? (actions as AdminBody | undefined)?.[camel]);
    set(name, field(body, name, camel));
  }
  return changed ? next : undefined;
}

/**
 * pk's `definition`: the raw hook as `GET` returns it (`type`, `checks`, `deny`, `async`,
 * `sequential`, `on_fail`, `on_success`), replacing the stored one whole, so a field left out is
 * gone (the separate fields only ever add or change one). Not combined with those fields.
 */
function wholeDefinition(body: AdminBody, whole: unknown): Record<string, unknown> {
  if (typeof whole !== 'object' || whole === null || Array.isArray(whole)) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      'definition: expected the raw hook object { type, checks, deny, async, sequential, on_fail, on_success }',
      { param: 'definition' },
    );
  }
  const beside = Object.keys(body).find((name) => HOOK_SPELLINGS.has(name) && body[name] !== undefined);
  if (beside !== undefined) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      `definition replaces the whole hook: give ${beside} inside it, not beside it`,
      { param: beside },
    );
  }
  return { ...(whole as Record<string, unknown>) };
}

/** Portkey's guardrail object (`portkey.guardrails.retrieve`), plus pk's raw `definition` and `managed_by`. */
export function guardrailObject(record: GuardrailRecord): Record<string, unknown> {
  const definition = record.definition;
  return {
    id: record.id,
    slug: record.slug,
    name: record.name,
    status: record.status,
    organisation_id: null,
    workspace_id: null,
    owner_id: null,
    updated_by: null,
    created_at: record.createdAt,
    last_updated_at: record.updatedAt,
    type: definition.type ?? 'guardrail',
    checks: definition.checks ?? [],
    actions: {
      deny: definition.deny ?? false,
      async: definition.async ?? false,
      on_success: definition.on_success ?? null,
      on_fail: definition.on_fail ?? null,
    },
    sequential: definition.sequential ?? false,
    definition,
    version_id: record.versionId,
    managed_by: record.managedBy,
    object: 'guardrail',
  };
}

/**
 * A guardrail written with `checks: []`: accepted by the hook compiler (a settings file's may say so
 * and still start), but it can never pass, fail or change anything, so the admin API refuses to write
 * one (paths relative to the definition, as the compiler's issues are). A stored one read back is
 * served as before.
 */
function emptyChecksIssues(definition: Readonly<Record<string, unknown>>): StoreIssue[] {
  const { checks } = definition;
  return Array.isArray(checks) && checks.length === 0
    ? [
        {
          path: 'checks',
          message: 'needs at least one check: a guardrail without checks never does anything',
        },
      ]
    : [];
}

interface IdParams {
  readonly id: string;
}

/**
 * Guardrails defined once in the store and named by slug from configs (`input_guardrails:
 * ["pg-…"]`), beside the settings file's: pk's own routes, shaped like Portkey's guardrail API so
 * `portkey.guardrails.*` works. Each definition is validated exactly like a settings-file guardrail
 * (checks, parameters, regexes, a webhook `secret` only as an `env:` / `file:` reference that
 * resolves on this gateway) before it is written; configs see a change within a second. Its checks'
 * `headers` values and URLs' query string are the store's to encrypt and mask: answers show masks,
 * and a mask sent back (the console's edit) keeps the value. A guardrail
 * a stored config names cannot be deleted.
 */
export async function guardrailRoutes(
  app: FastifyInstance,
  options: { readonly store: Store; readonly guardrails: GatewayGuardrails },
): Promise<void> {
  const { store, guardrails } = options;
  const { requireAdmin, actorOf } = app.adminAuth;
  answerStoreErrors(app, 'PK_ERR_RECORD_NOT_FOUND');
  const validate = {
    validate: (slug: string, definition: Readonly<Record<string, unknown>>): StoreIssue[] => [
      ...emptyChecksIssues(definition),
      ...guardrails.validateStoredGuardrail(slug, definition),
    ],
  };

  app.post('/guardrails', { preHandler: requireAdmin('guardrails.create') }, async (request) => {
    const body = objectBody(request.body, 'guardrail');
    refuseUnknownFields(body, FIELDS, 'guardrail');
    const slug = field(body, 'slug');
    const record = await store.guardrails.create(
      {
        ...(slug === undefined ? {} : { slug: slug as string }),
        name: field(body, 'name') as string,
        definition: definitionOf(body) ?? {},
      },
      actorOf(request),
      validate,
    );
    return { id: record.id, slug: record.slug, version_id: record.versionId, object: 'guardrail' };
  });

  app.get('/guardrails', { preHandler: requireAdmin('guardrails.list') }, async (request) =>
    listPage((await store.guardrails.list()).map(guardrailObject), request.query as Record<string, unknown>),
  );

  app.get<{ Params: IdParams }>(
    '/guardrails/:id',
    { preHandler: requireAdmin('guardrails.read') },
    async (request) => guardrailObject(await store.guardrails.get(request.params.id)),
  );

  app.put<{ Params: IdParams }>(
    '/guardrails/:id',
    { preHandler: requireAdmin('guardrails.update') },
    async (request) => {
      const body = objectBody(request.body, 'guardrail');
      refuseUnknownFields(body, FIELDS, 'guardrail');
      const current = await store.guardrails.get(request.params.id);
      for (const name of ['slug', 'guardrail_id', 'guardrailId'])
        refuseOtherRecord(body, name, [current.slug, current.id]);
      // The separate fields are handed to the store as changes, merged over the definition it
      // holds when it writes: merged here, over one read before, a change another replica wrote
      // in between was lost.
      const whole = field(body, 'definition') !== undefined;
      const definition = definitionOf(body);
      const name = field(body, 'name');
      const status = field(body, 'status');
      const record = await store.guardrails.update(
        current.id,
        {
          ...(name === undefined ? {} : { name: name as string }),
          ...(definition === undefined ? {} : whole ? { definition } : { definitionChanges: definition }),
          ...(status === undefined ? {} : { status: status as 'active' }),
        },
        actorOf(request),
        validate,
      );
      return { id: record.id, slug: record.slug, version_id: record.versionId, object: 'guardrail' };
    },
  );

  app.delete<{ Params: IdParams }>(
    '/guardrails/:id',
    { preHandler: requireAdmin('guardrails.delete') },
    async (request) => {
      const record = await store.guardrails.get(request.params.id);
      // A guardrail from the settings file is the store's to refuse.
      if (record.managedBy !== null) await store.guardrails.delete(record.id, actorOf(request));
      else
        await checkedWrite(store, async (basis) => {
          const naming = guardrails.configsNaming(record.slug);
          if (naming.length > 0) {
            throw new PkError(
              'PK_ERR_CONFLICT',
              `the guardrail "${record.slug}" is named by the saved config${naming.length > 1 ? 's' : ''} ${naming
                .map((slug) => `"${slug}"`)
                .join(', ')}: change or delete ${naming.length > 1 ? 'them' : 'it'} first`,
            );
          }
          await store.guardrails.delete(record.id, actorOf(request), basis);
        });
      return {};
    },
  );
}
