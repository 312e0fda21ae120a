import { PkError } from '@pk/config';
import { readTargetString } from '../shared/target-options.js';
import type { AuthorizeContext } from '../spec/provider-adapter.js';
import type { UpstreamRequest } from '../spec/upstream-request.js';
import { getVertexAIAccessToken, readVertexAIServiceAccount } from './service-account.js';

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
  return { ...upstream, headers: { ...upstream.headers, authorization: `Bearer ${token}` } };
}
