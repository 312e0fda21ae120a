import { PkError } from '@pk/config';
import type { Store } from '@pk/store';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { answerStoreErrors } from '../admin/store-errors.js';
import { isRecord } from '../is-record.js';
import { type ProxyServices, runProxiedRequest } from '../proxy/run-proxied-request.js';
import { checkOpenAIBody } from '../request-body/check-openai-body.js';
import { loadPartials } from './load-partials.js';
import { promptChatBody, routedPromptModel } from './prompt-chat-body.js';
import { refuseUnreachablePrompt } from './prompt-reach.js';
import { promptRequestRoutesItself } from './prompt-routing.js';
import { templateTexts } from './render-prompt.js';

interface PromptParams {
  readonly promptId: string;
}

function bodyOf(request: FastifyRequest): Record<string, unknown> {
  if (request.body === undefined || request.body === null) return {};
  if (!isRecord(request.body)) {
    throw new PkError('PK_ERR_INVALID_REQUEST', 'the request body must be a JSON object');
  }
  return request.body;
}

/**
 * Saved prompts as requests use them (Portkey's prompt API; the official SDK's
 * `prompts.completions.create` and `prompts.render`): `POST /v1/prompts/:id/completions` fills the
 * template in with `variables` and sends the chat request through the same path as
 * `/v1/chat/completions` (the prompt's virtual key unless the request names a provider, a virtual
 * key or a config that routes, see {@link promptRequestRoutesItself}; limits, cache, guardrails,
 * retries, logs and streams as there), `POST /v1/prompts/:id/render` answers the filled-in request
 * without sending it, to a key whose allow lists reach where completions would send it (else the
 * same 403 as completions). `:id` is the prompt's slug or id, with `@N` for a version, `@latest`, or
 * `@label` for the version a label points at; without a suffix the published version. Any gateway
 * key may use them (within its allow lists); the prompt is read from the store per request (503
 * `PK_ERR_STORE_UNAVAILABLE` while it is down).
 */
export async function promptInferenceRoutes(
  app: FastifyInstance,
  options: { readonly services: ProxyServices; readonly store: Store },
): Promise<void> {
  const { services, store } = options;
  answerStoreErrors(app, 'PK_ERR_RECORD_NOT_FOUND');

  /** The prompt version a reference names, with the partials its template includes. */
  const resolve = async (reference: string) => {
    const resolved = await store.prompts.resolve(reference);
    if (resolved === undefined) {
      throw new PkError('PK_ERR_RECORD_NOT_FOUND', `no prompt (or version) "${reference}"`, {
        param: 'prompt_id',
      });
    }
    const partials = await loadPartials({
      texts: templateTexts(resolved.version.template),
      resolve: async (name) => (await store.promptPartials.resolve(name))?.version.template,
    });
    return { ...resolved, partials };
  };

  const completions = async (
    request: FastifyRequest<{ Params: PromptParams }>,
    reply: FastifyReply,
  ): Promise<FastifyReply | undefined> => {
    const body = bodyOf(request);
    const { prompt, version, partials } = await resolve(request.params.promptId);
    const chat = promptChatBody(version, body, partials);
    const routesItself = promptRequestRoutesItself(request, services);
    chat.model = routedPromptModel(chat.model, version.virtualKey, routesItself);
    const problem = checkOpenAIBody('chat.completions', chat);
    if (problem !== undefined) {
      throw new PkError('PK_ERR_INVALID_REQUEST', `the prompt's chat request: ${problem.message}`, {
        param: problem.param ?? null,
      });
    }
    request.body = chat;
    request.logFields.prompt = `${prompt.slug}@${version.version}`;
    return runProxiedRequest(services, 'chat.completions', request, reply);
  };

  const render = async (request: FastifyRequest<{ Params: PromptParams }>) => {
    const { version, partials } = await resolve(request.params.promptId);
    const data = promptChatBody(version, bodyOf(request), partials);
    // What a key may not run it may not read either.
    refuseUnreachablePrompt(services, request, { model: data.model, virtualKey: version.virtualKey });
    return { success: true, data };
  };

  for (const prefix of ['/v1', '']) {
    app.post<{ Params: PromptParams }>(
      `${prefix}/prompts/:promptId/completions`,
      { config: { proxyEndpoint: 'chat.completions' } },
      completions,
    );
    app.post<{ Params: PromptParams }>(`${prefix}/prompts/:promptId/render`, render);
  }
}
