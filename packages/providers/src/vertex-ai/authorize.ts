import { PkError } from '@pk/config';
import { readTargetString } from '../shared/target-options.js';
import type { AuthorizeContext } from '../spec/provider-adapter.js';
import type { UpstreamRequest } from '../spec/upstream-request.js';
import {
  dropVertexAIAccessToken,
  getVertexAIAccessToken,
  readVertexAIServiceAccount,
} from './service-account.js';

const withBearer = (upstream: UpstreamRequest, token: string): UpstreamRequest => ({
  ...upstream,
  headers: { ...upstream.headers, authorization: `Bearer ${token}` },
});

/**
 * Adds `authorization: Bearer …` to a Vertex request: the target's `api_key` (an access token the
 * caller obtained) as given, else a token for `vertex_service_account_json`. 400 without either.
 */
export async function authorizeVertexAIRequest(
  upstream: UpstreamRequest,
  context: AuthorizeContext,
): Promise<UpstreamRequest> {
  const given = readTargetString(context.target, 'api_key');
  const account = given === undefined ? readVertexAIServiceAccount(context.target) : undefined;
  if (given === undefined && account === undefined) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      'vertex-ai needs api_key (an access token) or vertex_service_account_json',
      {
        param: 'vertex_service_account_json',
      },
    );
  }
  const token = given ?? (account === undefined ? '' : await getVertexAIAccessToken(account, context));
  return withBearer(upstream, token);
}

/**
 * After Vertex answered 401 (a token revoked, or its key deleted, before it expired): the service
 * account's cached token is dropped, unless another call already replaced it, and the request gets
 * the token exchanged afresh (concurrent calls share one exchange). A token the caller gave as
 * `api_key` cannot be renewed here: `undefined`, and the 401 stands.
 */
export async function reauthorizeVertexAIRequest(
  upstream: UpstreamRequest,
  rejected: UpstreamRequest,
  context: AuthorizeContext,
): Promise<UpstreamRequest | undefined> {
  if (readTargetString(context.target, 'api_key') !== undefined) return undefined;
  const account = readVertexAIServiceAccount(context.target);
  if (account === undefined) return undefined;
  const bearer = rejected.headers.authorization ?? '';
  dropVertexAIAccessToken(account, bearer.startsWith('Bearer ') ? bearer.slice(7) : bearer, context);
  return withBearer(upstream, await getVertexAIAccessToken(account, context));
}
