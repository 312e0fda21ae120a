import { PkError } from '@pk/config';
import type { CreateFeedbackInput, Store } from '@pk/store';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type AdminBody, field, objectBody, refuseOtherRecord, refuseUnknownFields } from './portkey-body.js';
import { answerStoreErrors } from './store-errors.js';

/**
 * The items of a feedback body: one object, an array, or the object the `portkey-ai` SDK makes of an
 * array (`{"0": {…}, "1": {…}}`: its body renaming iterates the keys).
 */
function feedbackItems(body: unknown): AdminBody[] {
  if (Array.isArray(body)) return body.map((item, index) => objectBody(item, `feedback ${index}`));
  const object = objectBody(body, 'feedback');
  const keys = Object.keys(object);
  if (keys.length > 0 && keys.every((key, index) => key === String(index))) {
    return keys.map((key) => objectBody(object[key], `feedback ${key}`));
  }
  return [object];
}

/** The fields of a new piece of feedback (Portkey's, and the SDK's spellings of `trace_id`). */
const CREATE_FIELDS = new Set(['trace_id', 'traceID', 'traceId', 'value', 'weight', 'metadata']);
/** The fields of a change: the SDK also sends the id it puts in the path. */
const UPDATE_FIELDS = new Set(['value', 'weight', 'metadata', 'feedbackID', 'feedback_id', 'feedbackId']);

function required(value: unknown, name: string, index: number, count: number): void {
  if (value === undefined || value === null) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      `${count > 1 ? `feedback ${index}: ` : ''}${name} is required`,
      {
        param: name,
      },
    );
  }
}

/**
 * Portkey's feedback routes (`portkey.feedback.create` / `.update`): data-plane calls, open to any
 * key (a key with scopes needs `logs.write`), each piece of feedback kept under the caller's tenant
 * (another tenant's is not found). A value from −10 to 10; a weight outside 0…1, or none, is 1;
 * metadata keys and values become text of at most 128 characters, as Portkey does.
 */
export async function feedbackRoutes(
  app: FastifyInstance,
  options: { readonly store: Store },
): Promise<void> {
  const { store } = options;
  answerStoreErrors(app, 'PK_ERR_RECORD_NOT_FOUND');

  // Portkey's data-plane check (control-plane reference §4): a key with scopes needs `logs.write`,
  // as for POST /v1/logs; a key without scopes may.
  const requireLogsWrite = async (request: FastifyRequest) =>
    app.adminAuth.requireScope(request, ['logs.write']);

  app.post('/feedback', { preHandler: requireLogsWrite }, async (request) => {
    const items = feedbackItems(request.body);
    if (items.length === 0) throw new PkError('PK_ERR_INVALID_REQUEST', 'feedback: nothing to save');
    const inputs: CreateFeedbackInput[] = items.map((item, index) => {
      refuseUnknownFields(item, CREATE_FIELDS, items.length > 1 ? `feedback ${index}` : 'feedback');
      const traceId = field(item, 'trace_id', 'traceID', 'traceId');
      required(traceId, 'trace_id', index, items.length);
      required(item.value, 'value', index, items.length);
      const weight = item.weight;
      const metadata = item.metadata;
      return {
        traceId: traceId as string,
        value: item.value as number,
        ...(weight === undefined || weight === null ? {} : { weight: weight as number }),
        ...(metadata === undefined ? {} : { metadata: metadata as Record<string, unknown> | null }),
        tenant: request.tenant,
        gatewayKeyId: request.gatewayKey?.id ?? null,
      };
    });
    const records = await store.feedback.create(inputs);
    return {
      status: 'success',
      message: 'Feedback successfully saved',
      feedback_ids: records.map((record) => record.id),
    };
  });

  app.put<{ Params: { readonly id: string } }>(
    '/feedback/:id',
    { preHandler: requireLogsWrite },
    async (request) => {
      const items = feedbackItems(request.body);
      if (items.length !== 1) {
        throw new PkError('PK_ERR_INVALID_REQUEST', 'feedback: update one piece of feedback at a time');
      }
      const item = items[0] as AdminBody;
      if (field(item, 'trace_id', 'traceID', 'traceId') !== undefined) {
        throw new PkError(
          'PK_ERR_INVALID_REQUEST',
          'feedback: trace_id cannot be changed (feedback stays with its trace): create a new piece instead',
          { param: 'trace_id' },
        );
      }
      refuseUnknownFields(item, UPDATE_FIELDS, 'feedback');
      for (const name of ['feedback_id', 'feedbackID', 'feedbackId'])
        refuseOtherRecord(item, name, [request.params.id]);
      required(item.value, 'value', 0, 1);
      const weight = item.weight;
      const metadata = item.metadata;
      const record = await store.feedback.update(request.params.id, {
        value: item.value as number,
        ...(weight === undefined || weight === null ? {} : { weight: weight as number }),
        ...(metadata === undefined ? {} : { metadata: metadata as Record<string, unknown> | null }),
        tenant: request.tenant,
      });
      return { status: 'success', message: 'Feedback successfully updated', feedback_ids: [record.id] };
    },
  );
}
