import type { JSONWebKeySet } from 'jose';
import { z } from 'zod';
import type { CheckDefinition, CheckOutcome } from '../../model/check-definition.js';
import { parseParameters } from '../../model/parameters.js';
import { urlParameter } from '../../network/call-parameters.js';
import type { GuardrailServices } from '../../network/guardrail-transport.js';

const schema = z.object({
  jwksUri: urlParameter,
  headerKey: z.string().min(1).optional(),
  cacheMaxAge: z.number().positive().optional(),
  clockTolerance: z.number().min(0).optional(),
  maxTokenAge: z.union([z.string().min(1), z.number().positive()]).optional(),
});

/** A fetched key set and when it goes stale. */
interface CachedKeySet {
  readonly keys: JSONWebKeySet;
  readonly expiresAt: number;
}

interface Parameters {
  readonly jwksUri: string;
  readonly headerKey: string;
  readonly cacheMaxAgeMs: number;
  readonly clockTolerance: number;
  readonly maxTokenAge: string | number;
  /** The key set, shared by every request this compiled check serves. */
  readonly cache: { current?: CachedKeySet };
}

// `jose` is imported by the first JWT check that runs: a gateway without one never loads it.
let joseModule: Promise<typeof import('jose')> | undefined;
function loadJose(): Promise<typeof import('jose')> {
  joseModule ??= import('jose');
  return joseModule;
}

const JWKS_TIMEOUT_MS = 3000;
const MAX_JWKS_BYTES = 256 * 1024;

async function fetchKeySet(parameters: Parameters, services: GuardrailServices): Promise<JSONWebKeySet> {
  if (services.transport === undefined) throw new Error('no network port for guardrails');
  const answer = await services.transport.request({
    url: parameters.jwksUri,
    method: 'GET',
    headers: { accept: 'application/json' },
    timeoutMs: JWKS_TIMEOUT_MS,
    maxResponseBytes: MAX_JWKS_BYTES,
  });
  if (answer.status < 200 || answer.status > 299)
    throw new Error(`Failed to fetch JWKS from ${parameters.jwksUri}`);
  const keys = JSON.parse(answer.body) as unknown;
  if (typeof keys !== 'object' || keys === null || !Array.isArray((keys as { keys?: unknown }).keys))
    throw new Error(`Failed to fetch JWKS from ${parameters.jwksUri}: not a JWK set`);
  parameters.cache.current = {
    keys: keys as JSONWebKeySet,
    expiresAt: services.now() + parameters.cacheMaxAgeMs,
  };
  return keys as JSONWebKeySet;
}

const rejected = (explanation: string): CheckOutcome => ({
  verdict: false,
  data: { verdict: false, explanation },
});

/**
 * `default.jwt`: the request header `headerKey` (default `Authorization`, `Bearer ` optional) holds a
 * JWT signed by a key of the JWK set at `jwksUri` (cached `cacheMaxAge` s, default 86400, refetched
 * once for an unknown `kid`), within `clockTolerance` s (5) and `maxTokenAge` ('1d'). Verified with
 * `jose`; the key set is fetched through the guardrails' network port.
 */
export const jwtCheck: CheckDefinition<Parameters> = {
  id: 'default.jwt',
  compile(parameters) {
    const parsed = parseParameters(schema, parameters);
    if (!parsed.ok) return parsed;
    return {
      ok: true,
      parameters: {
        jwksUri: parsed.parameters.jwksUri,
        headerKey: parsed.parameters.headerKey ?? 'Authorization',
        cacheMaxAgeMs: (parsed.parameters.cacheMaxAge ?? 86_400) * 1000,
        clockTolerance: parsed.parameters.clockTolerance ?? 5,
        maxTokenAge: parsed.parameters.maxTokenAge ?? '1d',
        cache: {},
      },
    };
  },
  async run({ context, parameters, services }) {
    const header = context.headers?.[parameters.headerKey.toLowerCase()];
    if (header === undefined || header === '') return rejected('Missing authorization header');
    const token = header.replace(/^Bearer\s+/i, '').trim();
    const options = { clockTolerance: parameters.clockTolerance, maxTokenAge: parameters.maxTokenAge };
    let keys: JSONWebKeySet;
    try {
      const cached = parameters.cache.current;
      keys =
        cached !== undefined && cached.expiresAt > services.now()
          ? cached.keys
          : await fetchKeySet(parameters, services);
    } catch (error) {
      const message = error instanceof Error ? error.message : 'JWKS unavailable';
      return {
        verdict: false,
        error: { name: 'Error', message },
        data: { verdict: false, explanation: `JWT validation error: ${message}` },
      };
    }
    const { createLocalJWKSet, errors, jwtVerify } = await loadJose();
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        await jwtVerify(token, createLocalJWKSet(keys), options);
        return { verdict: true, data: { verdict: true, explanation: 'JWT token validation succeeded' } };
      } catch (error) {
        if (error instanceof errors.JWKSNoMatchingKey && attempt === 0) {
          try {
            keys = await fetchKeySet(parameters, services);
            continue;
          } catch (fetchError) {
            const message = fetchError instanceof Error ? fetchError.message : 'JWKS unavailable';
            return {
              verdict: false,
              error: { name: 'Error', message },
              data: { verdict: false, explanation: `JWT validation error: ${message}` },
            };
          }
        }
        if (error instanceof errors.JWKSNoMatchingKey) return rejected('No matching key found for kid');
        return rejected(`JWT validation error: ${error instanceof Error ? error.message : 'invalid token'}`);
      }
    }
    return rejected('No matching key found for kid');
  },
};
