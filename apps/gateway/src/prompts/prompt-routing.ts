import { parseRequestHeaders } from '@pk/headers';
import type { FastifyRequest } from 'fastify';
import type { ProxyServices } from '../proxy/run-proxied-request.js';
import { configRoutesItself } from '../request-plan/resolve-request-plan.js';

/**
 * Whether a prompt request names where it goes itself, so the prompt's virtual key is not used:
 * `x-portkey-provider`, `x-portkey-virtual-key`, or a config (inline or saved) with `provider`,
 * `targets` or a virtual key, the rule of decision 0006. A config with none of those (cache, retry …)
 * applies to the request through the prompt's virtual key. A config the plan refuses (not valid, no
 * saved config with that id) counts as routing: the refusal is then the plan's own.
 */
export function promptRequestRoutesItself(
  request: FastifyRequest,
  services: Pick<ProxyServices, 'catalog' | 'configCache'>,
): boolean {
  const { headers } = request;
  if (headers['x-portkey-provider'] !== undefined || headers['x-portkey-virtual-key'] !== undefined)
    return true;
  if (headers['x-portkey-config'] === undefined) return false;
  const config = parseRequestHeaders(headers).options.config;
  if (config === undefined) return true;
  if (typeof config === 'string') {
    const saved = services.catalog.snapshot.configs.get(config);
    return saved === undefined || configRoutesItself(saved.config);
  }
  const raw = headers['x-portkey-config'];
  const parsed = services.configCache.parse(typeof raw === 'string' ? raw : JSON.stringify(config), config);
  return !parsed.ok || configRoutesItself(parsed.config);
}
