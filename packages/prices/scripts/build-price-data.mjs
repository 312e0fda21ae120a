// @ts-check
// The pure half of the generator: @pydantic/genai-prices' provider list → pk's compact price data,
// and that data → the text of src/generated/price-data.ts. No I/O here, so the up-to-date test can
// run it on the pinned package and compare with the committed file.

/**
 * @typedef {import('../src/price-data-format.js').PriceData} PriceData
 * @typedef {import('../src/price-data-format.js').PriceDataSource} PriceDataSource
 * @typedef {import('../src/price-data-format.js').PriceTableData} PriceTableData
 * @typedef {import('../src/price-data-format.js').ModelPriceData} ModelPriceData
 * @typedef {import('../src/price-data-format.js').ModelEntryData} ModelEntryData
 * @typedef {import('../src/price-data-format.js').PriceVariantData} PriceVariantData
 * @typedef {import('../src/price-data-format.js').PriceConstraintData} PriceConstraintData
 * @typedef {import('../src/price-data-format.js').MatchData} MatchData
 * @typedef {import('../src/price-data-format.js').RateData} RateData
 * @typedef {{ base: number, tiers: { start: number, price: number }[] }} SourceTiered
 * @typedef {Record<string, number | SourceTiered | undefined>} SourcePrices
 * @typedef {{ constraint?: { type?: string, start_date?: string, start_time?: string, end_time?: string }, prices: SourcePrices }} SourceConditional
 * @typedef {{ id: string, match: MatchData, prices: SourcePrices | SourceConditional[] }} SourceModel
 * @typedef {{ id: string, name: string, models: SourceModel[], fallback_model_providers?: string[] }} SourceProvider
 */

/**
 * Source tables left out of pk's data, with the reason. Everything else is kept, so a provider pk adds
 * later finds its host's table by id (see src/provider-tables.ts).
 * @type {Readonly<Record<string, string>>}
 */
export const EXCLUDED_SOURCE_TABLES = {
  cursor: "Cursor's in-editor model prices: not an API pk routes to",
  'github-copilot': "GitHub Copilot's subscription billing: not an API pk routes to",
  'huggingface_*':
    "Hugging Face router prices per backend: pk's huggingface provider does not say which backend served a request",
};

/**
 * The only plausible magnitudes of a price in USD per 1M tokens. The cheapest published price in the
 * source is $0.002 and the dearest $600 (o1-pro output), so a value below 0.001 is a per-token price
 * read as per-1M (or the reverse, above 10,000), and generation fails instead of committing it.
 * The same bounds guard the operator's overrides (src/price-bounds.ts; a test keeps them equal).
 */
export const MIN_PRICE_PER_MTOK = 0.001;
export const MAX_PRICE_PER_MTOK = 10_000;

/**
 * The plausible magnitudes of a price in USD per hour of input audio (the source's cheapest is $0.04,
 * its dearest $0.36): below 0.01 is a per-minute or per-second price read as per hour.
 */
export const MIN_PRICE_PER_AUDIO_HOUR = 0.01;
export const MAX_PRICE_PER_AUDIO_HOUR = 100;

/**
 * Seconds of audio billed at least per request, by `table/model`: a rule the source applies in its
 * code, not its data (Groq bills a transcription of under 10 s as 10 s,
 * https://console.groq.com/docs/speech-to-text). Written into the model's prices as `min_audio_seconds`.
 * @type {Readonly<Record<string, number>>}
 */
const MIN_AUDIO_SECONDS = {
  'groq/whisper-large-v3': 10,
  'groq/whisper-large-v3-turbo': 10,
};

/**
 * Source price key → pk price key. Keys not listed are units pk cannot derive from OpenAI-shaped
 * usage (images, video, pages, hours of audio both ways, web searches, 1-hour cache writes); they are
 * dropped. `input_audio_hours` (speech-to-text by duration) is kept as `per_audio_hour`.
 * @type {Readonly<Record<string, keyof ModelPriceData>>}
 */
const PRICE_KEYS = {
  input_mtok: 'input',
  output_mtok: 'output',
  cache_read_mtok: 'cached_input',
  cache_write_mtok: 'cache_write',
  output_reasoning_mtok: 'reasoning',
  input_audio_mtok: 'input_audio',
  output_audio_mtok: 'output_audio',
};
/** A model is priced when it has one of these: per token, or per hour of input audio. */
const PRICED_KEYS = new Set(['input', 'output', 'per_audio_hour']);

/** @param {string} tableId */
function isExcluded(tableId) {
  return Object.keys(EXCLUDED_SOURCE_TABLES).some((pattern) =>
    pattern.endsWith('*') ? tableId.startsWith(pattern.slice(0, -1)) : tableId === pattern,
  );
}

/**
 * The source's matching rule (genai-prices `matchLogic`): case-insensitive, except `regex`, which is
 * tested on the lower-cased id.
 * @param {MatchData} match
 * @param {string} id lower-cased model id
 * @returns {boolean}
 */
export function sourceMatches(match, id) {
  if ('or' in match) return match.or.some((child) => sourceMatches(child, id));
  if ('and' in match) return match.and.every((child) => sourceMatches(child, id));
  if ('equals' in match) return id === match.equals.toLowerCase();
  if ('starts_with' in match) return id.startsWith(match.starts_with.toLowerCase());
  if ('ends_with' in match) return id.endsWith(match.ends_with.toLowerCase());
  if ('contains' in match) return id.includes(match.contains.toLowerCase());
  if ('regex' in match) return new RegExp(match.regex).test(id);
  throw new Error(`unknown match rule ${JSON.stringify(match)}`);
}

/**
 * Every `equals` value of a rule, lower-cased.
 * @param {MatchData} match
 * @param {string[]} [into]
 * @returns {string[]}
 */
function equalsValues(match, into = []) {
  if ('or' in match) for (const child of match.or) equalsValues(child, into);
  else if ('and' in match) for (const child of match.and) equalsValues(child, into);
  else if ('equals' in match) into.push(match.equals.toLowerCase());
  return into;
}

/**
 * The rule as it acts on an id that equals no `equals` value of the table: `equals` leaves are false,
 * so they drop out of an `or` and make an `and` false. Values lower-cased. `undefined`: never matches.
 * @param {MatchData} match
 * @returns {MatchData | undefined}
 */
function withoutEquals(match) {
  if ('equals' in match) return undefined;
  if ('or' in match) {
    const children = /** @type {MatchData[]} */ (match.or.map(withoutEquals).filter(Boolean));
    if (children.length === 0) return undefined;
    return children.length === 1 ? children[0] : { or: children };
  }
  if ('and' in match) {
    const children = match.and.map(withoutEquals);
    if (children.some((child) => child === undefined)) return undefined;
    return { and: /** @type {MatchData[]} */ (children) };
  }
  if ('regex' in match) {
    new RegExp(match.regex); // fails generation on a rule that does not compile
    return { regex: match.regex };
  }
  if ('starts_with' in match) return { starts_with: match.starts_with.toLowerCase() };
  if ('ends_with' in match) return { ends_with: match.ends_with.toLowerCase() };
  if ('contains' in match) return { contains: match.contains.toLowerCase() };
  throw new Error(`unknown match rule ${JSON.stringify(match)}`);
}

/**
 * @param {number} value
 * @param {string} where
 */
function checkMagnitude(value, where) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`${where}: ${value} is not a price`);
  }
  if (value !== 0 && (value < MIN_PRICE_PER_MTOK || value > MAX_PRICE_PER_MTOK)) {
    throw new Error(
      `${where}: ${value} USD per 1M tokens is outside [${MIN_PRICE_PER_MTOK}, ${MAX_PRICE_PER_MTOK}]: a unit mistake?`,
    );
  }
}

/**
 * @param {number | SourceTiered} value
 * @param {string} where
 * @returns {RateData}
 */
function convertRate(value, where) {
  if (typeof value === 'number') {
    checkMagnitude(value, where);
    return value;
  }
  checkMagnitude(value.base, where);
  const tiers = [...value.tiers].sort((a, b) => a.start - b.start);
  for (const tier of tiers) {
    if (!Number.isSafeInteger(tier.start) || tier.start < 0)
      throw new Error(`${where}: bad tier ${tier.start}`);
    checkMagnitude(tier.price, where);
  }
  return { base: value.base, tiers: tiers.map((tier) => /** @type {const} */ ([tier.start, tier.price])) };
}

/**
 * One price set of the source → pk's, or null when none of it is per token.
 * @param {SourcePrices} prices
 * @param {string} where
 * @returns {ModelPriceData | null}
 */
function convertPrices(prices, where) {
  /** @type {Record<string, RateData>} */
  const converted = {};
  for (const [sourceKey, pkKey] of Object.entries(PRICE_KEYS)) {
    const value = prices[sourceKey];
    if (value !== undefined) converted[pkKey] = convertRate(value, `${where} ${sourceKey}`);
  }
  const perThousand = prices.requests_kcount;
  if (perThousand !== undefined) {
    if (typeof perThousand !== 'number' || perThousand < 0 || perThousand > 10_000) {
      throw new Error(`${where} requests_kcount: ${JSON.stringify(perThousand)} is not a flat price`);
    }
    converted.per_request = perThousand / 1000;
  }
  const perAudioHour = prices.input_audio_hours;
  if (perAudioHour !== undefined) {
    if (
      typeof perAudioHour !== 'number' ||
      !Number.isFinite(perAudioHour) ||
      perAudioHour < 0 ||
      (perAudioHour !== 0 &&
        (perAudioHour < MIN_PRICE_PER_AUDIO_HOUR || perAudioHour > MAX_PRICE_PER_AUDIO_HOUR))
    ) {
      throw new Error(
        `${where} input_audio_hours: ${JSON.stringify(perAudioHour)} USD per hour of audio is outside [${MIN_PRICE_PER_AUDIO_HOUR}, ${MAX_PRICE_PER_AUDIO_HOUR}]: a unit mistake?`,
      );
    }
    converted.per_audio_hour = perAudioHour;
    const minimum = MIN_AUDIO_SECONDS[where];
    if (minimum !== undefined) converted.min_audio_seconds = minimum;
  }
  const sourceKeys = Object.keys(prices).filter((key) => prices[key] !== undefined);
  // `{}` is the source's way of saying "free" (OpenAI moderation); prices only in units pk cannot
  // count (pages, hours of audio both ways) make the model known but unpriced.
  if (sourceKeys.length === 0) return {};
  if (!Object.keys(converted).some((key) => PRICED_KEYS.has(key))) return null;
  return converted;
}

/**
 * `HH:MM:SS[.fff](Z|±HH:MM)` → seconds since UTC midnight (the source's `time_of_date` constraint).
 * @param {string} time
 */
function utcSecondsOf(time) {
  const parts = /^(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/.exec(time);
  if (!parts) throw new Error(`bad time of day ${time}`);
  const local = Number(parts[1]) * 3600 + Number(parts[2]) * 60 + Number(parts[3]);
  const offset =
    parts[4] === 'Z' ? 0 : (parts[5] === '+' ? 1 : -1) * (Number(parts[6]) * 3600 + Number(parts[7]) * 60);
  return (local - offset + 86_400) % 86_400;
}

/**
 * @param {SourceConditional['constraint']} constraint
 * @param {string} where
 * @returns {PriceConstraintData | undefined}
 */
function convertConstraint(constraint, where) {
  if (constraint === undefined) return undefined;
  if (constraint.start_date !== undefined && (constraint.type ?? 'start_date') === 'start_date') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(constraint.start_date)) throw new Error(`${where}: bad start_date`);
    return { from: constraint.start_date };
  }
  if (constraint.start_time !== undefined && constraint.end_time !== undefined) {
    return { utc_time: [utcSecondsOf(constraint.start_time), utcSecondsOf(constraint.end_time)] };
  }
  throw new Error(`${where}: unknown price constraint ${JSON.stringify(constraint)}`);
}

/**
 * @param {SourceModel} model
 * @param {string} where
 * @returns {ModelEntryData[1]}
 */
function convertModelPrices(model, where) {
  if (!Array.isArray(model.prices)) return convertPrices(model.prices, where);
  const variants = model.prices.map((variant, index) => {
    const when = convertConstraint(variant.constraint, `${where} [${index}]`);
    const prices = convertPrices(variant.prices, `${where} [${index}]`);
    return /** @type {PriceVariantData} */ (when === undefined ? { prices } : { when, prices });
  });
  return variants.every((variant) => variant.prices === null) ? null : variants;
}

/**
 * @param {SourceProvider} provider
 * @returns {PriceTableData}
 */
function buildTable(provider) {
  const models = provider.models;
  /** @param {string} id */
  const firstMatch = (id) => models.findIndex((model) => sourceMatches(model.match, id));
  /** @type {Record<string, number>} */
  const ids = {};
  for (const model of models) {
    for (const value of equalsValues(model.match)) {
      if (Object.hasOwn(ids, value)) continue;
      const index = firstMatch(value);
      if (index >= 0) ids[value] = index;
    }
  }
  /** @type {(readonly [number, MatchData])[]} */
  const patterns = [];
  models.forEach((model, index) => {
    const pattern = withoutEquals(model.match);
    if (pattern !== undefined) patterns.push([index, pattern]);
  });
  const sortedIds = Object.fromEntries(Object.entries(ids).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    name: provider.name,
    ...(provider.fallback_model_providers?.length ? { fallbacks: provider.fallback_model_providers } : {}),
    models: models.map((model) => [model.id, convertModelPrices(model, `${provider.id}/${model.id}`)]),
    ids: sortedIds,
    patterns,
  };
}

/**
 * The source's provider list → pk's price data.
 * @param {readonly SourceProvider[]} providers
 * @param {PriceDataSource} source
 * @returns {PriceData}
 */
export function buildPriceData(providers, source) {
  /** @type {Record<string, PriceTableData>} */
  const tables = {};
  const kept = providers.filter((provider) => !isExcluded(provider.id));
  const keptIds = new Set(kept.map((provider) => provider.id));
  for (const provider of [...kept].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const missing = (provider.fallback_model_providers ?? []).filter((id) => !keptIds.has(id));
    if (missing.length > 0)
      throw new Error(`${provider.id} falls back to excluded tables ${missing.join(', ')}`);
    tables[provider.id] = buildTable(provider);
  }
  return { source, tables };
}

/** @param {unknown} value */
const json = (value) => JSON.stringify(value).replaceAll('`', '\\u0060').replaceAll('$', '\\u0024');

/**
 * The text of src/generated/price-data.ts: the data as one JSON string (parsed on first use, so
 * importing the package costs no parse), one model, id or pattern per line so a diff reads well.
 * @param {PriceData} data
 * @returns {string}
 */
export function renderPriceDataModule(data) {
  const { source } = data;
  const tableTexts = Object.entries(data.tables).map(([id, table]) => {
    const lines = [
      `${json(id)}:{"name":${json(table.name)},${table.fallbacks ? `"fallbacks":${json(table.fallbacks)},` : ''}"models":[`,
      table.models.map((model) => json(model)).join(',\n'),
      '],"ids":{',
      Object.entries(table.ids)
        .map(([key, index]) => `${json(key)}:${index}`)
        .join(',\n'),
      '},"patterns":[',
      table.patterns.map((pattern) => json(pattern)).join(',\n'),
      ']}',
    ];
    return lines.join('\n');
  });
  const body = `{"source":${json(source)},"tables":{\n${tableTexts.join(',\n')}\n}}`;
  return [
    `// @generated by scripts/generate.mjs from ${source.package} ${source.version} (published ${source.published}, ${source.licence}).`,
    '// Do not edit: change the pinned version and run `pnpm --filter @pk/prices generate`.',
    "import type { PriceDataSource } from '../price-data-format.js';",
    '',
    '/** Where the built-in prices come from. */',
    'export const PRICE_DATA_SOURCE: PriceDataSource = {',
    ...Object.entries(source).map(([key, value]) => `  ${key}: '${String(value).replaceAll("'", "\\'")}',`),
    '};',
    '',
    '/** The built-in price data (a `PriceData` as JSON), parsed on first use. */',
    `export const PRICE_DATA_JSON: string = String.raw\`${body}\`;`,
    '',
  ].join('\n');
}
