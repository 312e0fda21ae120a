import type { ProviderEndpoint, ProviderRequest } from '@pk/providers';

const ENDPOINTS: Readonly<Record<string, ProviderEndpoint>> = {
  '/chat/completions': 'chat.completions',
  '/completions': 'completions',
  '/embeddings': 'embeddings',
};

/** The OpenAI path after `/v1` (`/chat/completions`), tolerant of repeated slashes. */
export function openAIPathOf(url: URL): string {
  const path = url.pathname.replace(/\/{2,}/g, '/');
  return path.startsWith('/v1/') ? path.slice(3) : path;
}

/**
 * The provider request for what the openai client built: chat, completions and embeddings as JSON;
 * any other route (models, files, images, audio …) passed through to the OpenAI family unchanged.
 */
export async function toProviderRequest(
  request: Request,
  strictOpenAICompliance: boolean,
): Promise<ProviderRequest> {
  const url = new URL(request.url);
  const path = openAIPathOf(url);
  const endpoint = ENDPOINTS[path];
  const contentType = request.headers.get('content-type') ?? '';
  const bytes =
    request.method === 'GET' || request.method === 'HEAD'
      ? undefined
      : new Uint8Array(await request.arrayBuffer());
  const isJson = contentType.includes('application/json');
  const body =
    bytes !== undefined && isJson && bytes.length > 0
      ? (JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>)
      : undefined;
  if (endpoint !== undefined && request.method === 'POST')
    return { endpoint, body: body ?? {}, strictOpenAICompliance };
  return {
    endpoint: 'passthrough',
    path: `${path}${url.search}`,
    method: request.method,
    strictOpenAICompliance,
    ...(body !== undefined
      ? { body }
      : bytes !== undefined && bytes.length > 0
        ? { rawBody: bytes, contentType }
        : {}),
  };
}
