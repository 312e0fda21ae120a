import { PkError } from '@pk/config';
import { readTargetString } from '../shared/target-options.js';
import type { ProviderTarget } from '../spec/provider-adapter.js';

const PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/** A Google Cloud region: `us-central1`, `europe-west4`, `europe-west12`, `northamerica-northeast2`. */
const REGION = /^[a-z]+-[a-z]+[0-9]{1,2}$/;
/** Vertex's multi-regions, served at `aiplatform.{us|eu}.rep.googleapis.com`. */
const MULTI_REGIONS: ReadonlySet<string> = new Set(['us', 'eu']);
const MODEL = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

/** Which publisher serves a Vertex model, and its id there. */
export interface VertexAIModelRoute {
  readonly publisher: 'google' | 'anthropic';
  readonly model: string;
}

/**
 * The publisher of a model: `claude-…` (or `anthropic.claude-…`) is Anthropic's, anything else Google's
 * (a `google.` prefix is dropped). The id must match a strict pattern before it enters the URL.
 */
export function vertexAIModelRoute(model: unknown): VertexAIModelRoute {
  const raw = typeof model === 'string' ? model : '';
  const [prefix, rest] = raw.includes('.')
    ? [raw.slice(0, raw.indexOf('.')), raw.slice(raw.indexOf('.') + 1)]
    : ['', raw];
  const publisher = prefix === 'anthropic' || raw.startsWith('claude') ? 'anthropic' : 'google';
  const id = prefix === 'anthropic' || prefix === 'google' ? rest : raw;
  if (!MODEL.test(id)) {
    throw new PkError('PK_ERR_INVALID_REQUEST', `invalid model name for vertex-ai: '${raw}'`, {
      param: 'model',
    });
  }
  return { publisher, model: id };
}

/**
 * The base URL of a Vertex target, `https://{region}-aiplatform.googleapis.com/v1/projects/{project}/locations/{region}`
 * (`aiplatform.googleapis.com` for `global`, `aiplatform.{us|eu}.rep.googleapis.com` for the `us` and
 * `eu` multi-regions). Project (`vertex_project_id`, else the service account's
 * `project_id`) and region (`vertex_region`) must match strict patterns first, so the host is always
 * Google's own; `custom_host` replaces `https://{host}/v1`.
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/reference/rest
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/learn/locations
 */
export function vertexAIBaseUrl(target: ProviderTarget, accountProject: string | undefined): string {
  const project = readTargetString(target, 'vertex_project_id') ?? accountProject;
  const region = readTargetString(target, 'vertex_region') ?? 'us-central1';
  if (project === undefined || !PROJECT.test(project)) {
    throw new PkError('PK_ERR_INVALID_REQUEST', `invalid or missing vertex_project_id: '${project ?? ''}'`, {
      param: 'vertex_project_id',
    });
  }
  if (region !== 'global' && !MULTI_REGIONS.has(region) && !REGION.test(region)) {
    throw new PkError('PK_ERR_INVALID_REQUEST', `invalid vertex_region: '${region}'`, {
      param: 'vertex_region',
    });
  }
  const host =
    region === 'global'
      ? 'aiplatform.googleapis.com'
      : MULTI_REGIONS.has(region)
        ? `aiplatform.${region}.rep.googleapis.com`
        : `${region}-aiplatform.googleapis.com`;
  const base = (readTargetString(target, 'custom_host') ?? `https://${host}/v1`).replace(/\/+$/, '');
  return `${base}/projects/${project}/locations/${region}`;
}
