import { isJsonObject } from '../shared/json.js';
import { joinUrl, readTargetString } from '../shared/target-options.js';
import type { ModelListRoute } from '../spec/provider-adapter.js';
import { ANTHROPIC_BASE_URL, ANTHROPIC_VERSION } from './request.js';

/**
 * The most models one page of Anthropic's list holds (its default is 20). OpenAI's `GET /models` is
 * not paged, so the whole list is asked for at once.
 * @see https://docs.anthropic.com/en/api/models-list
 */
const ANTHROPIC_MODELS_PAGE_LIMIT = 1000;

/** One entry of OpenAI's model list. */
interface OpenAIModel {
  readonly id: string;
  readonly object: 'model';
  /** Unix seconds. */
  readonly created: number;
  readonly owned_by: string;
  /** Anthropic's human-readable name, kept beside OpenAI's fields. */
  readonly display_name?: string;
}

/** Anthropic's model object (`{type: "model", id, display_name, created_at}`) in OpenAI's shape. */
function toOpenAIModel(model: Record<string, unknown>): OpenAIModel | undefined {
  if (typeof model.id !== 'string') return undefined;
  const createdMs = typeof model.created_at === 'string' ? Date.parse(model.created_at) : Number.NaN;
  return {
    id: model.id,
    object: 'model',
    created: Number.isFinite(createdMs) ? Math.floor(createdMs / 1000) : 0,
    owned_by: 'anthropic',
    ...(typeof model.display_name === 'string' ? { display_name: model.display_name } : {}),
  };
}

/**
 * `GET /v1/models` and `GET /v1/models/{id}` on Anthropic (its Models API), answered in OpenAI's
 * shape: `{object: "list", data: [{id, object: "model", created, owned_by}]}` or one such model.
 * @see https://docs.anthropic.com/en/api/models-list
 * @see https://docs.anthropic.com/en/api/models
 */
export const anthropicModelList: ModelListRoute = {
  buildRequest(path, context) {
    const apiKey = readTargetString(context.target, 'api_key');
    const base = readTargetString(context.target, 'custom_host') ?? ANTHROPIC_BASE_URL;
    const listing = path === '/models';
    return {
      upstream: {
        url: joinUrl(base, listing ? `/models?limit=${ANTHROPIC_MODELS_PAGE_LIMIT}` : path),
        method: 'GET',
        headers: {
          'anthropic-version': readTargetString(context.target, 'anthropic_version') ?? ANTHROPIC_VERSION,
          ...(apiKey === undefined ? {} : { 'x-api-key': apiKey }),
        },
      },
      warnings: [],
    };
  },
  parseResponse(json) {
    if (!isJsonObject(json)) return json;
    if (!Array.isArray(json.data)) return toOpenAIModel(json) ?? json;
    const data = json.data.flatMap((model: unknown) => {
      const entry = isJsonObject(model) ? toOpenAIModel(model) : undefined;
      return entry === undefined ? [] : [entry];
    });
    return { object: 'list', data };
  },
};
