import { PkError } from '@pk/config';
import { parseRequestHeaders } from '@pk/headers';
import type { FastifyRequest } from 'fastify';
import { requestPlanOf } from '../proxy/request-plan-of.js';
import type { ProxyServices } from '../proxy/run-proxied-request.js';
import { routedPromptModel } from './prompt-chat-body.js';
import { promptRequestRoutesItself } from './prompt-routing.js';

/**
 * Refuses a prompt render (`POST /v1/prompts/:id/render`) that the request's gateway key could not
 * run: its `virtual_keys` or `configs` allow list does not reach where the prompt's completions
 * would go (the prompt's own virtual key, or what the request routes itself with). The check is the
 * one the completions route makes, the request plan's, with its 403 `PK_ERR_FORBIDDEN`; the plan's
 * other refusals (no provider named, a virtual key that does not exist) do not concern a render,
 * which sends nothing, and are left to completions. A key without allow lists costs nothing here.
 */
export function refuseUnreachablePrompt(
  services: Pick<ProxyServices, 'settings' | 'catalog' | 'configCache' | 'guardrails'>,
  request: FastifyRequest,
  prompt: {
    /** The rendered request's model (a prompt without one is judged by its virtual key alone). */
    readonly model: unknown;
    /** The prompt version's virtual key. */
    readonly virtualKey: string | null;
  },
): void {
  const key = request.gatewayKey;
  if (key === null || (key.virtualKeys === undefined && key.configs === undefined)) return;
  // The model completions would send, routed as completions route it.
  const given = typeof prompt.model === 'string' && prompt.model !== '' ? prompt.model : 'model';
  const model = routedPromptModel(given, prompt.virtualKey, promptRequestRoutesItself(request, services));
  try {
    requestPlanOf(services, request, parseRequestHeaders(request.headers), model);
  } catch (error) {
    if (error instanceof PkError && error.code === 'PK_ERR_FORBIDDEN') throw error;
  }
}
