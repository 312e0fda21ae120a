import { isJsonObject } from './json.js';

/**
 * A prompt-caching breakpoint as Portkey's OpenAI format carries it: `cache_control` on a content
 * part, a message or a tool, `{ type: "ephemeral" }` optionally with `ttl` (`"5m"`, `"1h"`).
 * @see https://portkey.ai/docs/integrations/llms/anthropic/prompt-caching
 */
export type CacheControl = Readonly<Record<string, unknown>> & { readonly type: string };

/** The `cache_control` an object (content part, message, tool) carries, or `undefined`. */
export function cacheControlOf(value: unknown): CacheControl | undefined {
  if (!isJsonObject(value)) return undefined;
  const control = value.cache_control;
  return isJsonObject(control) && typeof control.type === 'string' ? (control as CacheControl) : undefined;
}

/** `{ cache_control }` to spread into a block when the source carried one, else `{}`. */
export function withCacheControl(source: unknown): { cache_control?: CacheControl } {
  const control = cacheControlOf(source);
  return control === undefined ? {} : { cache_control: control };
}
