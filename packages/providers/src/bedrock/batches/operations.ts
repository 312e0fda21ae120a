import type { ProviderRequest } from '../../spec/provider-adapter.js';

/** A files or batches call pk answers on Bedrock, read from a pass-through request's method and path. */
export type BedrockBatchOperation =
  | { readonly kind: 'upload-file' }
  | { readonly kind: 'list-files'; readonly query: URLSearchParams }
  | { readonly kind: 'retrieve-file'; readonly fileId: string }
  | { readonly kind: 'delete-file'; readonly fileId: string }
  | { readonly kind: 'file-content'; readonly fileId: string }
  | { readonly kind: 'create-batch' }
  | { readonly kind: 'list-batches'; readonly query: URLSearchParams }
  | { readonly kind: 'retrieve-batch'; readonly batchId: string }
  | { readonly kind: 'cancel-batch'; readonly batchId: string }
  | { readonly kind: 'batch-output'; readonly batchId: string };

/**
 * The operation of `POST /files`, `GET /files`, `GET /files/{id}`, `DELETE /files/{id}`,
 * `GET /files/{id}/content`, `POST /batches`, `GET /batches`,
 * `GET /batches/{id}`, `POST /batches/{id}/cancel` and Portkey's `GET /batches/{id}/output`;
 * `undefined` for any other call (refused: Bedrock has no pass-through).
 */
export function bedrockBatchOperationOf(
  request: Pick<ProviderRequest, 'path' | 'method'>,
): BedrockBatchOperation | undefined {
  if (request.path === undefined) return undefined;
  const method = (request.method ?? 'POST').toUpperCase();
  const [path = '', search = ''] = request.path.split('?');
  const segments = path.split('/').slice(1);
  const [namespace, id, action] = segments;
  if (segments.length > 3 || id === '') return undefined;
  if (namespace === 'files') {
    if (id === undefined) {
      if (method === 'POST') return { kind: 'upload-file' };
      return method === 'GET' ? { kind: 'list-files', query: new URLSearchParams(search) } : undefined;
    }
    if (method === 'GET' && action === undefined) return { kind: 'retrieve-file', fileId: id };
    if (method === 'DELETE' && action === undefined) return { kind: 'delete-file', fileId: id };
    if (method === 'GET' && action === 'content') return { kind: 'file-content', fileId: id };
    return undefined;
  }
  if (namespace !== 'batches') return undefined;
  if (id === undefined) {
    if (method === 'POST') return { kind: 'create-batch' };
    return method === 'GET' ? { kind: 'list-batches', query: new URLSearchParams(search) } : undefined;
  }
  if (method === 'GET' && action === undefined) return { kind: 'retrieve-batch', batchId: id };
  if (method === 'POST' && action === 'cancel') return { kind: 'cancel-batch', batchId: id };
  if (method === 'GET' && action === 'output') return { kind: 'batch-output', batchId: id };
  return undefined;
}
