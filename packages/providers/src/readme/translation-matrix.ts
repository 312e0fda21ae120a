import { PROVIDER_ADAPTERS, type SupportedProviderId } from '../registry/registry.js';
import type { ProviderCapabilities } from '../spec/provider-adapter.js';

/** One row of the translation matrix: an OpenAI request every adapter is tested with. */
export interface MatrixScenario {
  /** Stable id (test names). */
  readonly id: string;
  /** What the row says in the README. */
  readonly label: string;
  /** Capabilities the scenario needs. */
  readonly needs: readonly (keyof ProviderCapabilities)[];
}

/** The scenarios of the translation matrix, in README order. */
export const MATRIX_SCENARIOS = [
  { id: 'plain-text', label: 'plain text', needs: ['chatCompletions'] },
  { id: 'system-multi-turn', label: 'system + multi-turn', needs: ['chatCompletions'] },
  { id: 'tools', label: 'tools', needs: ['tools'] },
  { id: 'tool-result', label: 'tool-result round trip', needs: ['tools'] },
  { id: 'json-mode', label: 'JSON mode', needs: ['jsonMode'] },
  { id: 'image-input', label: 'image input', needs: ['imageInput'] },
  { id: 'stream-usage', label: 'streaming with usage', needs: ['streaming'] },
  { id: 'stream-tool-call', label: 'streamed tool call', needs: ['streaming', 'tools'] },
  { id: 'error', label: 'error', needs: [] },
] as const satisfies readonly MatrixScenario[];

/**
 * The matrix columns: every adapter implementation (the OpenAI-compatible family is one adapter,
 * tested through its representative configuration, groq).
 */
export const MATRIX_PROVIDERS = [
  'openai',
  'groq',
  'azure-openai',
  'anthropic',
  'cohere',
  'google',
  'vertex-ai',
  'bedrock',
] as const satisfies readonly SupportedProviderId[];

/** A cell: `pass`, or `not supported` with the vendor doc that shows the gap. */
export type MatrixCell = 'pass' | { readonly notSupported: string };

/** The expected cell for a provider and scenario, from the adapter's capabilities. */
export function matrixCell(provider: SupportedProviderId, scenario: MatrixScenario): MatrixCell {
  for (const need of scenario.needs) {
    const capability = PROVIDER_ADAPTERS[provider].capabilities[need];
    if (capability !== true) return { notSupported: capability.unsupported };
  }
  return 'pass';
}

function renderCell(cell: MatrixCell): string {
  return cell === 'pass' ? 'pass' : `[not supported](${cell.notSupported})`;
}

/** The matrix as a Markdown table. */
export function renderTranslationMatrix(): string {
  const header = `| scenario | ${MATRIX_PROVIDERS.join(' | ')} |`;
  const rule = `| --- | ${MATRIX_PROVIDERS.map(() => '---').join(' | ')} |`;
  const rows = MATRIX_SCENARIOS.map(
    (scenario) =>
      `| ${scenario.label} | ${MATRIX_PROVIDERS.map((provider) => renderCell(matrixCell(provider, scenario))).join(' | ')} |`,
  );
  return [header, rule, ...rows].join('\n');
}
