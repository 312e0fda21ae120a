import type { RequestOptionName } from './header-names.js';

/**
 * How an option's value is written in its header (behaviour reference §2.6, wire contract §4):
 * - `string`: as-is;
 * - `boolean`: `"true"` / `"false"`;
 * - `number`: a non-negative decimal (`3000`, `12.5`), in the unit the header documents;
 * - `timer-ms`: a whole number of milliseconds from 1 to 86400000 (24 h): Node's timers overflow
 *   beyond 2^31 ms and fire at once, so larger values are refused, as `0` and fractions are;
 * - `list`: header names joined with `,`;
 * - `json-object` / `json-array`: compact JSON;
 * - `metadata`: a JSON object within the metadata limits;
 * - `config`: a JSON object, or a saved config's id (told apart by a leading `{`);
 * - `cache-mode`: Portkey's legacy cache mode, `simple`, `semantic`, `true` (simple) or `false`
 *   (none), case-insensitive (behaviour reference §5.2).
 */
export type ValueKind =
  | 'string'
  | 'boolean'
  | 'number'
  | 'timer-ms'
  | 'list'
  | 'json-object'
  | 'json-array'
  | 'metadata'
  | 'config'
  | 'cache-mode';

/**
 * The options whose value is not a plain string. Only formats the references document are typed;
 * a header whose format is undocumented stays a string so the codec never rejects what Portkey takes.
 */
export const NON_STRING_OPTION_KINDS = {
  config: 'config',
  metadata: 'metadata',
  forwardHeaders: 'list',
  requestTimeout: 'timer-ms',
  strictOpenAiCompliance: 'boolean',
  debug: 'boolean',
  retryCount: 'number',
  defaultInputGuardrails: 'json-array',
  defaultOutputGuardrails: 'json-array',
  cacheForceRefresh: 'boolean',
  cache: 'cache-mode',
  cacheTtl: 'number',
  audioFileDuration: 'number',
  dangerouslyAllowBrowser: 'boolean',
  fileUploadSize: 'number',
  vertexServiceAccountJson: 'json-object',
  mistralFimCompletion: 'boolean',
} as const satisfies { readonly [K in RequestOptionName]?: Exclude<ValueKind, 'string'> };

/** The value kind of one option. */
export type KindOfOption<K extends RequestOptionName> = K extends keyof typeof NON_STRING_OPTION_KINDS
  ? (typeof NON_STRING_OPTION_KINDS)[K]
  : 'string';

const nonStringKinds: Readonly<Record<string, ValueKind>> = NON_STRING_OPTION_KINDS;

/** The value kind of one option, at run time. */
export function kindOfOption(option: RequestOptionName): ValueKind {
  return nonStringKinds[option] ?? 'string';
}
