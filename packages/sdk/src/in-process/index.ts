export { createInProcessRuntime } from './create-runtime.js';
export { IN_PROCESS_BASE_URL, type InProcessClientOptions, Portkey } from './in-process-client.js';
export type { InProcessRuntime, InProcessSetup, InProcessVirtualKey } from './in-process-setup.js';
export { DEFAULT_IN_PROCESS_CACHE_BYTES } from './simple-cache.js';
