import { REQUEST_HEADER_NAMES, type RequestOptionName } from './header-names.js';
import { kindOfOption, type ValueKind } from './request-option-kinds.js';

/** One prefixed request header: the option that sends it, its name and how its value is written. */
export interface RequestOptionSpec {
  /** The option name (the official SDK's, camelCase). */
  readonly option: RequestOptionName;
  /** The header name, lower-case. */
  readonly header: string;
  /** How the value is written. */
  readonly kind: ValueKind;
  /** Position in the canonical order headers are built in. */
  readonly index: number;
}

/** Every prefixed request header, in the order {@link buildRequestHeaders} emits them. */
export const REQUEST_OPTION_SPECS: readonly RequestOptionSpec[] = (
  Object.entries(REQUEST_HEADER_NAMES) as [RequestOptionName, string][]
).map(([option, header], index) => ({ option, header, kind: kindOfOption(option), index }));

/** The spec of each prefixed request header, by header name. */
export const REQUEST_OPTION_SPEC_BY_HEADER: ReadonlyMap<string, RequestOptionSpec> = new Map(
  REQUEST_OPTION_SPECS.map((spec) => [spec.header, spec]),
);
