import { type Config, createMemoryBreakerStore, PkError, parseConfig, type ReadonlyConfig } from '@pk/config';
import type { Transport } from '@pk/providers';
import { handleInProcessRequest, type InProcessServices } from './handle-request.js';
import type { InProcessRuntime, InProcessSetup, InProcessVirtualKey } from './in-process-setup.js';
import { loadProviders } from './load-providers.js';
import { createSimpleCacheStore } from './simple-cache.js';
import { customHostsOf } from './trusted-hosts.js';

/**
 * Creates what in-process clients share: virtual keys and saved configs (validated now, with the
 * gateway's path-naming messages), the simple cache, circuit-breaker state and, on the first
 * request, `@pk/providers` and its connection pool.
 *
 * @throws PkError `PK_ERR_INVALID_CONFIG` naming the saved config and path of every issue.
 */
export function createInProcessRuntime(setup: InProcessSetup = {}): InProcessRuntime {
  const virtualKeys = new Map<string, InProcessVirtualKey>(Object.entries(setup.virtualKeys ?? {}));
  const configs = new Map<string, Config>();
  for (const [id, config] of Object.entries(setup.configs ?? {}))
    configs.set(id, validSavedConfig(id, config));
  const breakers = createMemoryBreakerStore();
  const cache = setup.cache === false ? undefined : createSimpleCacheStore(setup.cache?.maxBytes);
  let services: Promise<InProcessServices> | undefined;
  let transport: Transport | undefined;
  const start = async (): Promise<InProcessServices> => {
    const providers = await loadProviders();
    transport = setup.transport ?? providers.createUndiciTransportFromEnvironment();
    return { providers, transport, breakers, cache, virtualKeys, configs };
  };
  return {
    fetch: async (input, init) => {
      services ??= start();
      return handleInProcessRequest(await services, new Request(input, init));
    },
    close: async () => {
      if (services !== undefined) await services;
      if (transport !== undefined && setup.transport === undefined) await transport.close();
    },
  };
}

function validSavedConfig(id: string, config: ReadonlyConfig): Config {
  const parsed = parseConfig(config, { trustedCustomHosts: customHostsOf(config) });
  if (parsed.ok) return parsed.config;
  const issues = parsed.issues.map((issue) => issue.message).join('; ');
  throw new PkError('PK_ERR_INVALID_CONFIG', `saved config "${id}": ${issues}`, { param: 'configs' });
}
