import type { OpenAICompatibleConfig, StreamUsage } from '../openai-compatible/config.js';
import { OPENAI_COMPATIBLE_CONFIGS } from '../openai-compatible/configs.js';

const STREAM_USAGE_LABELS = {
  'stream-options': '`stream_options` asked',
  unasked: 'last chunk, unasked',
  'in-choice': '`choices[0].usage`, lifted',
  none: 'none',
} as const satisfies Record<StreamUsage, string>;

function code(value: string): string {
  return `\`${value}\``;
}

function baseUrl(config: OpenAICompatibleConfig): string {
  if (config.baseUrl !== '') return code(config.baseUrl);
  return config.baseUrlOption
    ? `from ${code(config.baseUrlOption.option)}`
    : `${code('custom_host')} (required)`;
}

function auth(config: OpenAICompatibleConfig): string {
  const header = config.authHeader ?? { name: 'authorization', prefix: 'Bearer ' };
  const scheme = `${header.name}: ${header.prefix ?? ''}<api_key>`.trimEnd();
  const optional = config.auth === 'optional' ? ' (optional)' : '';
  const fixed = Object.entries(config.headers ?? {}).map(([name, value]) => code(`${name}: ${value}`));
  const fromOptions = Object.entries(config.optionHeaders ?? {}).map(
    ([option, name]) => `${code(name)} ← ${code(option)}`,
  );
  return [code(scheme) + optional, ...fixed, ...fromOptions].join('<br>');
}

function parameters(config: OpenAICompatibleConfig): string {
  const notes = [
    ...(config.urlOptions?.map(({ option }) => `${code(option)} in the URL`) ?? []),
    ...Object.entries(config.optionQuery ?? {}).map(([option, { name }]) => `${code(option)} → ?${name}`),
    ...Object.entries(config.renameParameters ?? {}).map(([from, to]) => `${code(from)} → ${code(to)}`),
    ...(config.dropParameters ?? []).map((name) => `${code(name)} dropped`),
    ...Object.entries(config.finishReasons ?? {}).map(([from, to]) => `finish ${code(from)} → ${code(to)}`),
    ...(config.repairChunks ? ['missing chunk fields filled'] : []),
    ...(config.promptFilterChunk ? ['filter-only first chunk dropped'] : []),
  ];
  return notes.length > 0 ? notes.join('<br>') : '';
}

/**
 * What differs between the OpenAI-compatible vendors (base URL, auth and headers, where streamed
 * usage lives, parameters renamed or dropped, error bodies), generated from their configurations.
 */
export function renderCompatibleVendorTable(): string {
  const header = '| provider | base URL | auth and headers | stream usage | quirks | error body |';
  const rule = '| --- | --- | --- | --- | --- | --- |';
  const rows = OPENAI_COMPATIBLE_CONFIGS.map((config: OpenAICompatibleConfig) =>
    [
      `[${config.id}](${config.docsUrl})`,
      baseUrl(config),
      auth(config),
      STREAM_USAGE_LABELS[config.streamUsage ?? 'stream-options'],
      parameters(config),
      config.errorBody ?? 'openai',
    ].join(' | '),
  ).map((row) => `| ${row} |`);
  return [header, rule, ...rows].join('\n');
}
