import { PROVIDER_ADAPTERS, SUPPORTED_PROVIDER_IDS } from '../registry/registry.js';
import type { Capability, ProviderCapabilities, ProviderDialect } from '../spec/provider-adapter.js';

const COLUMNS = [
  ['chatCompletions', 'chat'],
  ['completions', 'completions'],
  ['embeddings', 'embeddings'],
  ['passthrough', 'other endpoints'],
  ['streaming', 'stream'],
  ['tools', 'tools'],
  ['jsonMode', 'JSON mode'],
  ['imageInput', 'images in'],
  ['reasoning', 'reasoning'],
] as const satisfies readonly (readonly [keyof ProviderCapabilities, string])[];

/** How each wire format is named in the README. */
export const DIALECT_LABELS = {
  openai: 'OpenAI',
  'openai-compatible': 'OpenAI-compatible',
  'azure-openai': 'Azure OpenAI',
  'anthropic-messages': 'Anthropic Messages',
  'cohere-chat-v2': 'Cohere Chat v2',
  'gemini-generate-content': 'Gemini generateContent',
  'vertex-ai': 'Vertex AI (Gemini, Claude)',
  'bedrock-converse': 'Bedrock Converse',
} as const satisfies Record<ProviderDialect, string>;

function renderCapability(capability: Capability): string {
  return capability === true ? 'yes' : `[no](${capability.unsupported})`;
}

/** The capability table of every registered provider, as Markdown, generated from the registry. */
export function renderCapabilityTable(): string {
  const header = `| provider | dialect | ${COLUMNS.map(([, label]) => label).join(' | ')} |`;
  const rule = `| --- | --- | ${COLUMNS.map(() => '---').join(' | ')} |`;
  const rows = SUPPORTED_PROVIDER_IDS.map((id) => {
    const adapter = PROVIDER_ADAPTERS[id];
    const cells = COLUMNS.map(([key]) => renderCapability(adapter.capabilities[key]));
    return `| [${id}](${adapter.docsUrl}) | ${DIALECT_LABELS[adapter.dialect]} | ${cells.join(' | ')} |`;
  });
  return [header, rule, ...rows].join('\n');
}

function yesNo(capability: Capability): string {
  return capability === true ? 'yes' : 'no';
}

/**
 * The short provider list for the repository's README: id, dialect, streaming, tools and embeddings,
 * generated from the same registry.
 */
export function renderProviderSummary(): string {
  const header = '| provider | dialect | stream | tools | embeddings |';
  const rule = '| --- | --- | --- | --- | --- |';
  const rows = SUPPORTED_PROVIDER_IDS.map((id) => {
    const { docsUrl, dialect, capabilities } = PROVIDER_ADAPTERS[id];
    return `| [${id}](${docsUrl}) | ${DIALECT_LABELS[dialect]} | ${yesNo(capabilities.streaming)} | ${yesNo(capabilities.tools)} | ${yesNo(capabilities.embeddings)} |`;
  });
  return [
    `${SUPPORTED_PROVIDER_IDS.length} providers with a chat API, under Portkey's ids.`,
    '',
    header,
    rule,
    ...rows,
  ].join('\n');
}
