import type { ParsedRequestHeaders } from '@pk/headers';
import { isSupportedProviderId } from '@pk/providers';
import type { FastifyRequest } from 'fastify';
import { resolveRequestPlanOnce } from '../request-plan/request-plan-memo.js';
import type { RequestPlan } from '../request-plan/resolve-request-plan.js';
import type { ProxyServices } from './run-proxied-request.js';

/**
 * The request plan of a `/v1` request (memoised, {@link resolveRequestPlanOnce}): the one place the
 * plan's input is built from the request (its gateway key, its raw `x-portkey-config`) and the
 * gateway's services, for the proxied routes, the Realtime WebSocket and the prompt render's reach
 * check alike, so they route, and refuse, as one. Throws the plan's refusals.
 */
export function requestPlanOf(
  services: Pick<ProxyServices, 'settings' | 'catalog' | 'configCache' | 'guardrails'>,
  request: FastifyRequest,
  headers: ParsedRequestHeaders,
  model: string | undefined,
  defaultProvider?: string,
): RequestPlan {
  const rawConfigHeader = request.headers['x-portkey-config'];
  return resolveRequestPlanOnce(
    {
      headers,
      model,
      settings: services.settings,
      catalog: services.catalog.snapshot,
      gatewayKey: request.gatewayKey,
      authorizationIsGatewayKey: request.authorizationIsGatewayKey,
      isSupportedProvider: isSupportedProviderId,
      configCache: services.configCache,
      defaultProvider,
      rawConfigHeader: typeof rawConfigHeader === 'string' ? rawConfigHeader : undefined,
      checkHeaderGuardrails: services.guardrails.validateHeaderGuardrails,
    },
    request.headers,
  );
}
