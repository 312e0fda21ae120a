import type { PkError } from '@pk/config';
import { MAX_LOG_METADATA_FILTERS } from '@pk/store';

/**
 * What the request log's filters share, whichever route reads them: Portkey's names of pk's filters,
 * its `ai_org_model` (provider and model at once) and its `metadata` object. `GET /v1/logs` and
 * `GET /v1/analytics/summary` read pk's names (`log-query-params.ts`), log exports and the analytics
 * graphs read Portkey's (`export-filters.ts`); each accepts the other's spellings through this table.
 */

/**
 * Portkey's names of pk's filters (its log export and analytics filters, `GenerationsFilterSchema`),
 * each with pk's name of the same filter.
 */
export const PORTKEY_SPELLINGS = {
  status_code: 'status',
  ai_model: 'model',
  ai_org: 'provider',
  virtual_keys: 'virtual_key',
  configs: 'config',
  prompt_slug: 'prompt',
  time_of_generation_min: 'from',
  time_of_generation_max: 'to',
} as const satisfies Readonly<Record<string, string>>;

/** Makes the 400 of a filter: its message and the parameter it names. */
export type Refusal = (message: string, param: string) => PkError;

/**
 * Portkey's `ai_org_model` (`openai__gpt-4o`) as the provider and model it names; `name` is how the
 * refusal of a malformed value calls the filter.
 */
export function orgModelOf(
  value: string,
  name: string,
  refuse: Refusal,
): { readonly provider: string; readonly model: string } {
  const at = value.indexOf('__');
  if (at <= 0 || at + 2 >= value.length) throw refuse(`${name} is provider__model (openai__gpt-4o)`, name);
  return { provider: value.slice(0, at), model: value.slice(at + 2) };
}

/**
 * Portkey's `metadata` filter object as key and value pairs: each value text (a number or boolean is
 * read as its text), at most `MAX_LOG_METADATA_FILTERS` of them. `name` is how refusals call it.
 */
export function metadataPairsOf(value: unknown, name: string, refuse: Refusal): [string, string][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw refuse(`${name} must be an object of key: value, {"_user":"ada"}`, name);
  const pairs = Object.entries(value as Record<string, unknown>).map(([key, item]): [string, string] => {
    if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean')
      throw refuse(`${name}.${key} must be text`, name);
    return [key, String(item)];
  });
  if (pairs.length > MAX_LOG_METADATA_FILTERS)
    throw refuse(`${name} has at most ${MAX_LOG_METADATA_FILTERS} keys`, name);
  return pairs;
}

/** Portkey's `metadata` query value: a JSON object as text, as its SDK sends it. */
export function metadataObjectOf(text: string, name: string, refuse: Refusal): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw refuse(`${name} must be a JSON object, {"_user":"ada"} (or ${name}.<key>=<value>)`, name);
  return parsed as Record<string, unknown>;
}
