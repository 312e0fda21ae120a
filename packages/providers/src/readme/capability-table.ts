import { PROVIDER_ADAPTERS, SUPPORTED_PROVIDER_IDS } from '../registry/registry.js';
import type { Capability, ProviderCapabilities } from '../spec/provider-adapter.js';

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

function renderCapability(capability: Capability): string {
  return capability === true ? 'yes' : `[no](${capability.unsupported})`;
}

/** The capability table of every registered provider, as Markdown, generated from the registry. */
export function renderCapabilityTable(): string {
  const header = `| provider | ${COLUMNS.map(([, label]) => label).join(' | ')} |`;
  const rule = `| --- | ${COLUMNS.map(() => '---').join(' | ')} |`;
  const rows = SUPPORTED_PROVIDER_IDS.map((id) => {
    const adapter = PROVIDER_ADAPTERS[id];
    return `| [${id}](${adapter.docsUrl}) | ${COLUMNS.map(([key]) => renderCapability(adapter.capabilities[key])).join(' | ')} |`;
  });
  return [header, rule, ...rows].join('\n');
}
