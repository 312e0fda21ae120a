import type { ReadonlyConfig } from '@pk/config';
import type { REQUEST_HEADER_NAMES } from './header-names.js';
import type { KindOfOption } from './request-option-kinds.js';

/**
 * A config as an SDK option: a config object (snake_case, as `@pk/config` defines it; the gateway
 * validates it with `parseConfig`), mutable or readonly (a literal written `as const`), or a saved
 * config's id such as `pc-abc-123`.
 */
export type ConfigOption = ReadonlyConfig | string;

/**
 * Portkey's legacy `x-portkey-cache` header, read: a cache mode for the request (`simple` exact
 * match, `semantic` similar prompts), or `false` for none.
 */
export type CacheModeOption = 'simple' | 'semantic' | false;

/** A JSON object value (metadata, a config, a service account key). */
export type JsonObject = Record<string, unknown>;

/** The value each kind has in parsed (normalised) options. */
export interface ParsedValueTypes {
  string: string;
  boolean: boolean;
  number: number;
  /** Milliseconds, a whole number from 1 to 86400000. */
  'timer-ms': number;
  list: string[];
  'json-object': JsonObject;
  'json-array': unknown[];
  metadata: JsonObject;
  /** A parsed JSON object (not yet validated as a config), or a saved config's id. */
  config: JsonObject | string;
  /** `true` is read as `simple`; `false` asks for no cache. */
  'cache-mode': CacheModeOption;
}

/** The value each kind accepts when building headers. */
export interface InputValueTypes {
  string: string;
  /** Also `"true"` / `"false"`: the official SDK types `mistralFimCompletion` as a string. */
  boolean: boolean | 'true' | 'false';
  number: number;
  /** Milliseconds, a whole number from 1 to 86400000 (24 h); refused otherwise. */
  'timer-ms': number;
  list: readonly string[];
  'json-object': Readonly<JsonObject>;
  'json-array': readonly unknown[];
  /** An object, or the JSON text of one (`'{"team":"a"}'`, sent as it is, as the official SDK does). */
  metadata: Readonly<JsonObject> | string;
  config: ConfigOption;
  /** `true` is sent as `"true"`, which the gateway reads as `simple`. */
  'cache-mode': CacheModeOption | boolean | 'true' | 'false';
}

/**
 * Portkey request options, as the gateway reads them from the headers: one property per prefixed
 * header (named as the official SDK's option, e.g. `virtualKey` for `x-portkey-virtual-key`) plus
 * `Authorization`. Values are normalised: trimmed, JSON parsed, lists split, booleans and numbers typed.
 */
export type RequestOptions = {
  [K in keyof typeof REQUEST_HEADER_NAMES]?: ParsedValueTypes[KindOfOption<K>];
} & {
  /** The `authorization` header as sent (`Bearer <key>` or a raw key). */
  Authorization?: string;
};

/**
 * Options for {@link buildRequestHeaders}: the official SDK's options, camelCase. `null`,
 * `undefined`, blank strings, `[]` and `{}` are skipped. Any other key `fooBar` is sent as
 * `x-portkey-foo-bar`, exactly as the official SDK does; a key containing `ID` is first spelled `Id`
 * (`traceID` is `traceId`).
 */
export type RequestHeaderOptions = {
  [K in keyof typeof REQUEST_HEADER_NAMES]?: InputValueTypes[KindOfOption<K>] | null | undefined;
} & {
  /** Sent as `authorization`, as given (no `Bearer ` is added). */
  Authorization?: string | null | undefined;
  /** The official SDK's typed spelling of `traceId`. */
  traceID?: string | null | undefined;
  /** Any other option, sent as `x-portkey-<kebab-case name>`. */
  readonly [option: string]: unknown;
};
