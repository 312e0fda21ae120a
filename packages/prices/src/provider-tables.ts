/**
 * Which price tables answer for which pk (Portkey) provider id. Adding a provider is a data change:
 * one row here when its id differs from its host's table id in the source, none when they are equal
 * (a provider id that names a table uses it: `baseten`, `minimax`, `modal`…).
 */

/**
 * pk provider id → the source tables to search, in order. Only ids that differ from a table id are
 * listed. A provider not listed and not named like a table has no table of its own: only the
 * list-price fallback below can price it.
 */
export const PROVIDER_PRICE_TABLES: Readonly<Record<string, readonly string[]>> = {
  'azure-openai': ['azure'],
  'azure-ai': ['azure'],
  bedrock: ['aws'],
  'vertex-ai': ['google'],
  palm: ['google'],
  'mistral-ai': ['mistral'],
  'together-ai': ['together'],
  'fireworks-ai': ['fireworks'],
  'perplexity-ai': ['perplexity'],
  'novita-ai': ['novita'],
  moonshot: ['moonshotai'],
  zhipu: ['zhipuai'],
  'z-ai': ['zai'],
  voyage: ['voyageai'],
  'workers-ai': ['cloudflare'],
};

/**
 * Closed-weight model families, sold only by their maker or resold at the maker's list price
 * (OpenRouter, Azure, Bedrock, Vertex and gateways such as Portkey do). A model id of one of these
 * families that its host's table does not list is priced from the maker's table: `gpt-4o` through any
 * provider costs OpenAI's price. Open-weight models (`gpt-oss`, `gemma`, Llama, DeepSeek, Qwen,
 * Mistral's open models…) are priced by each host differently, so they never fall back: an unlisted
 * host gives `unknown_price` rather than another host's price.
 */
export const LIST_PRICE_FAMILIES: readonly { readonly table: string; readonly pattern: RegExp }[] = [
  {
    table: 'openai',
    pattern:
      /^(?:gpt-(?!oss)|chatgpt-|o[134](?:$|-)|text-embedding-|text-davinci-|davinci|babbage|whisper-|tts-|dall-e|codex-|computer-use|omni-moderation|text-moderation)/,
  },
  { table: 'anthropic', pattern: /^claude-/ },
  { table: 'google', pattern: /^gemini-/ },
  { table: 'x-ai', pattern: /^grok-/ },
];

/** The tables to search for `provider`, own tables first (see {@link PROVIDER_PRICE_TABLES}). */
export function priceTablesOf(provider: string, tableIds: ReadonlySet<string>): readonly string[] {
  const listed = PROVIDER_PRICE_TABLES[provider];
  if (listed !== undefined && Object.hasOwn(PROVIDER_PRICE_TABLES, provider)) return listed;
  return tableIds.has(provider) ? [provider] : [];
}

/** The maker's table for a closed-weight model id (already lower-cased, prefix stripped), if any. */
export function listPriceTableOf(model: string): string | undefined {
  for (const family of LIST_PRICE_FAMILIES) if (family.pattern.test(model)) return family.table;
  return undefined;
}
