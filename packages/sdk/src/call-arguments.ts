/** A resource whose `create(body, options)` gains the official SDK's third argument. */
interface Creatable {
  create(body: unknown, options?: unknown): unknown;
}

/**
 * Lets `create(body, params, opts)` work as in the official SDK: openai's resources read only a
 * second argument, so the third (openai request options) is merged into it. Per instance: the
 * resource objects belong to one client.
 */
export function acceptThirdArgument(resource: Creatable): void {
  const create = resource.create.bind(resource);
  Object.defineProperty(resource, 'create', {
    value: (body: unknown, params?: unknown, opts?: unknown): unknown =>
      create(body, opts === undefined ? params : mergeCallArguments(params, opts)),
    configurable: true,
    writable: true,
  });
}

function mergeCallArguments(params: unknown, opts: unknown): Record<string, unknown> {
  const first = (params ?? {}) as Record<string, unknown>;
  const second = (opts ?? {}) as Record<string, unknown>;
  return { ...first, ...second };
}
