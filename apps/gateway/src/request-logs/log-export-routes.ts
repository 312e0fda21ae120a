import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { PkError } from '@pk/config';
import type { LogExportRecord, Store } from '@pk/store';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { refuseUnknownFields, spellings } from '../admin/portkey-body.js';
import { answerStoreErrors } from '../admin/store-errors.js';
import { isRecord } from '../is-record.js';
import { sendPkError } from '../plugins/error-envelope.js';
import { exportFilePath } from './export-file-url.js';
import { exportPlanOf } from './export-filters.js';
import { checkRequestedData } from './export-lines.js';
import type { LogExportRunner } from './log-export-runner.js';

/** How long a download link works. */
export const DOWNLOAD_LINK_MS = 60 * 60 * 1000;

/** An export as Portkey's API answers it, with pk's progress fields (`total`, `exported`, `error`). */
function exportOut(record: LogExportRecord) {
  return {
    id: record.id,
    organisation_id: null,
    workspace_id: record.tenant,
    filters: record.filters,
    requested_data: record.requestedData,
    status: record.status,
    description: record.description,
    created_at: record.createdAt,
    last_updated_at: record.updatedAt,
    created_by: record.createdBy,
    total: record.total,
    exported: record.exported,
    error: record.error,
    object: 'export',
  };
}

/** The body's export fields, checked (filters as pk applies them, requested_data as known fields). */
/**
 * What the official SDK sends on create and update (`workspace_id` accepted and not kept, as on every
 * admin route; `export_id` repeats the path): anything else is refused naming it, since an update
 * that ignored a misspelt `filter` would answer 200 and export every record.
 */
const EXPORT_FIELDS = spellings('filters', 'requested_data', 'description', 'workspace_id', 'export_id');

function exportInput(body: Record<string, unknown>, tenant: string | undefined, creating: boolean) {
  refuseUnknownFields(body, EXPORT_FIELDS, 'export');
  const filters = body.filters;
  if (filters !== undefined || creating) {
    if (!isRecord(filters))
      throw new PkError('PK_ERR_INVALID_REQUEST', 'filters must be an object ({} exports every record)', {
        param: 'filters',
      });
    exportPlanOf(filters, tenant);
  }
  const requested = body.requested_data ?? body.requestedData;
  const description = body.description;
  if (description !== undefined && description !== null && typeof description !== 'string')
    throw new PkError('PK_ERR_INVALID_REQUEST', 'description must be text', { param: 'description' });
  return {
    filters: filters as Record<string, unknown> | undefined,
    requestedData: requested !== undefined || creating ? checkRequestedData(requested) : undefined,
    description: typeof description === 'string' ? description : undefined,
  };
}

/**
 * Portkey's log exports (`portkey.logs.exports.*`), tenant-scoped like the logs, scope `logs.export`:
 * create (a draft), list, retrieve (with progress), update, start (the job runs in this process),
 * cancel, download (a link valid for an hour) and, pk's addition, delete.
 */
export async function logExportRoutes(
  app: FastifyInstance,
  options: {
    readonly store: Store;
    readonly runner: LogExportRunner;
    /** `PK_PUBLIC_URL`: the links' base; else the request's protocol and `Host`. */
    readonly publicUrl?: string | undefined;
  },
): Promise<void> {
  const { store, runner } = options;
  const exports = store.logExports;
  const scopeOf = (request: FastifyRequest): string | undefined => {
    app.adminAuth.requireScope(request, ['logs.export']);
    return app.adminAuth.isAdmin(request) ? undefined : request.tenant;
  };
  const bodyOf = (request: FastifyRequest): Record<string, unknown> => {
    const body = request.body ?? {};
    if (!isRecord(body)) throw new PkError('PK_ERR_INVALID_REQUEST', 'the body must be a JSON object');
    return body;
  };
  type WithId = { Params: { id: string } };
  const found = async (request: FastifyRequest<WithId>, reply: FastifyReply, tenant: string | undefined) => {
    const record = await exports.get(request.params.id, tenant);
    if (record === undefined)
      sendPkError(reply, request, 'PK_ERR_RECORD_NOT_FOUND', 'no log export has this id');
    return record;
  };

  for (const prefix of ['/v1', '']) {
    app.post(`${prefix}/logs/exports`, async (request) => {
      const tenant = scopeOf(request);
      const input = exportInput(bodyOf(request), tenant, true);
      const created = await exports.create({
        ...input,
        tenant: tenant ?? null,
        createdBy: request.gatewayKey?.id ?? null,
      });
      return { id: created.id, total: 0, object: 'export' };
    });

    app.get(`${prefix}/logs/exports`, async (request) => {
      // Portkey's SDK sends `workspace_id` (the key's tenant is the workspace here); nothing filters
      // this list, so any other parameter is refused rather than ignored.
      const unknown = Object.keys(request.query as object).find((name) => name !== 'workspace_id');
      if (unknown !== undefined)
        throw new PkError(
          'PK_ERR_INVALID_REQUEST',
          `${unknown} is not a parameter of the export list (it takes workspace_id only)`,
          { param: unknown },
        );
      const tenant = scopeOf(request);
      const data = (await exports.list(tenant)).map(exportOut);
      return { object: 'list', total: data.length, data };
    });

    app.get<WithId>(`${prefix}/logs/exports/:id`, async (request, reply) => {
      const record = await found(request, reply, scopeOf(request));
      return record === undefined ? reply : exportOut(record);
    });

    app.put<WithId>(`${prefix}/logs/exports/:id`, async (request) => {
      const tenant = scopeOf(request);
      const updated = await exports.update(
        request.params.id,
        tenant,
        exportInput(bodyOf(request), tenant, false),
      );
      return { id: updated.id, total: 0, object: 'export' };
    });

    app.delete<WithId>(`${prefix}/logs/exports/:id`, async (request) => {
      await exports.delete(request.params.id, scopeOf(request));
      return {};
    });

    app.post<WithId>(`${prefix}/logs/exports/:id/start`, async (request) => {
      await runner.start(request.params.id, scopeOf(request));
      return {
        message: 'the export has started: its status is in_progress until it is success',
        object: 'export',
      };
    });

    app.post<WithId>(`${prefix}/logs/exports/:id/cancel`, async (request) => {
      await exports.cancel(request.params.id, scopeOf(request));
      return { message: 'the export has stopped', object: 'export' };
    });

    app.get<WithId>(`${prefix}/logs/exports/:id/download`, async (request) => {
      const token = randomBytes(32).toString('base64url');
      const expiresAt = Date.now() + DOWNLOAD_LINK_MS;
      await exports.setDownloadToken(request.params.id, scopeOf(request), token, expiresAt);
      return {
        signed_url: `${options.publicUrl ?? `${request.protocol}://${request.host}`}${exportFilePath(request.params.id)}?token=${token}`,
        expires_at: new Date(expiresAt).toISOString(),
      };
    });
  }
}

/**
 * An export's file (JSONL, streamed part by part) for the token of its download link: no key needed,
 * as a link handed to a browser or `curl` carries none. A wrong, replaced or expired token, or an id
 * that does not exist, is the same 403.
 */
export async function logExportFileRoute(
  app: FastifyInstance,
  options: { readonly store: Store },
): Promise<void> {
  const exports = options.store.logExports;
  answerStoreErrors(app, 'PK_ERR_RECORD_NOT_FOUND');
  app.get<{ Params: { id: string }; Querystring: { token?: string } }>(
    '/v1/logs/exports/:id/file',
    async (request, reply) => {
      const token = request.query.token;
      if (typeof token !== 'string' || !(await exports.acceptsDownloadToken(request.params.id, token)))
        return sendPkError(
          reply,
          request,
          'PK_ERR_FORBIDDEN',
          'this download link is not valid: it has expired, was replaced by a newer one, or was never issued',
        );
      return reply
        .type('application/jsonl; charset=utf-8')
        .header('content-disposition', `attachment; filename="pk-logs-${request.params.id}.jsonl"`)
        .header('cache-control', 'no-store')
        .send(Readable.from(exports.parts(request.params.id)));
    },
  );
}
