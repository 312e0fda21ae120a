export { buildRequestHeaders, isEmptyOptionValue } from './build-request-headers.js';
export { CACHE_STATUSES, type CacheStatus, isCacheStatus } from './cache-status.js';
export { decodeHeaderValue } from './decode-header-value.js';
export { encodeHeaderValue } from './encode-header-value.js';
export { forEachHeader, type HeaderInput, type HeadersLike } from './header-input.js';
export { MAX_HEADER_VALUE_LENGTH, MAX_METADATA_KEYS, MAX_METADATA_LENGTH } from './header-limits.js';
export {
  AWS_REQUEST_HEADERS,
  AZURE_REQUEST_HEADERS,
  CACHE_REQUEST_HEADERS,
  CLIENT_REQUEST_HEADERS,
  CORE_REQUEST_HEADERS,
  FILE_REQUEST_HEADERS,
  OTHER_PROVIDER_REQUEST_HEADERS,
  PLATFORM_REQUEST_HEADERS,
  PORTKEY_HEADER_PREFIX,
  REQUEST_HEADER_NAMES,
  RESPONSE_HEADER_NAMES,
  type RequestHeaderName,
  type RequestOptionName,
  type ResponseHeaderName,
  TRACING_REQUEST_HEADERS,
  UNPREFIXED_REQUEST_HEADERS,
  type UnprefixedRequestHeaderName,
  VERTEX_REQUEST_HEADERS,
} from './header-names.js';
export { headerOverridesOf } from './header-overrides.js';
export {
  createHeaderProblem,
  errorCodeOfHeaderProblem,
  type HeaderProblem,
  type HeaderProblemReason,
  headerProblemToError,
} from './header-problem.js';
export { checkHeaderValue } from './header-value-check.js';
export { headerNameOfOption } from './option-header-name.js';
export {
  type ParsedRequestHeaders,
  parseRequestHeaders,
  type UnprefixedHeaders,
} from './parse-request-headers.js';
export {
  type GatewaySecretTest,
  type ProviderKey,
  type ProviderKeyHeader,
  SDK_PLACEHOLDER_KEY,
  selectProviderKey,
  stripBearer,
} from './provider-key.js';
export {
  type KindOfOption,
  kindOfOption,
  NON_STRING_OPTION_KINDS,
  type ValueKind,
} from './request-option-kinds.js';
export { REQUEST_OPTION_SPECS, type RequestOptionSpec } from './request-option-specs.js';
export type {
  CacheModeOption,
  ConfigOption,
  InputValueTypes,
  JsonObject,
  ParsedValueTypes,
  RequestHeaderOptions,
  RequestOptions,
} from './request-options.js';
export {
  buildResponseHeaders,
  getPortkeyHeaders,
  type ParsedResponseHeaders,
  parseResponseHeaders,
  type ResponseHeaderValues,
} from './response-headers.js';
export { readUtf8HeaderText } from './utf8-header-text.js';
export { VERSION } from './version.js';
export { virtualKeyMessageSubjectOf, virtualKeyParamOf } from './virtual-key-param.js';
