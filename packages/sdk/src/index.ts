export type { PkErrorCode } from '@pk/config';
export { NO_KEY_PLACEHOLDER, PORTKEY_GATEWAY_URL } from './constants.js';
export { createHeaders } from './create-headers.js';
export { PkError } from './pk-error.js';
export { type OpenAIOnlyClientOptions, Portkey } from './portkey-client.js';
export { authorizationOf } from './portkey-headers.js';
export type {
  OpenAIPassThroughOptions,
  OpenAIRequestOptions,
  PortkeyCallOptions,
  PortkeyClientOptions,
  PortkeyCoreOptions,
  PortkeyOptions,
  PortkeyProviderOptions,
} from './portkey-options.js';
export type {
  PortkeyChat,
  PortkeyChatCompletionsCreate,
  PortkeyCompletions,
  PortkeyCompletionsCreate,
  PortkeyEmbeddings,
  PortkeyEmbeddingsCreate,
  WithPortkeyHeaders,
} from './resource-types.js';
export type { PortkeyResponseExtras } from './response-headers.js';
export { validateConfigOption } from './validate-config.js';
export { VERSION } from './version.js';
