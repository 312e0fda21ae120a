import type { Store } from '@pk/store';
import type { FastifyInstance } from 'fastify';
import type { GatewayGuardrails } from '../guardrails/gateway-guardrails.js';
import { markPortkeyAdminRoutes } from '../plugins/error-envelope.js';
import { apiKeyRoutes } from './api-key-routes.js';
import { collectionRoutes } from './collection-routes.js';
import { configRoutes } from './config-routes.js';
import type { KeyUsage } from './current-usage.js';
import { feedbackRoutes } from './feedback-routes.js';
import { guardrailRoutes } from './guardrail-routes.js';
import { integrationRoutes } from './integration-routes.js';
import { labelRoutes } from './label-routes.js';
import { promptRoutes } from './prompt-routes.js';
import { refuseNulInAddress } from './refuse-nul.js';
import { virtualKeyRoutes } from './virtual-key-routes.js';

/** What the admin routes need. */
export interface AdminRouteOptions {
  readonly store: Store;
  readonly guardrails: GatewayGuardrails;
  /** Where `current_usage` comes from and `reset_usage` goes (the limits store's counters). */
  readonly usage: KeyUsage;
}

/**
 * The first path segments the admin routes serve, with the methods of the segment's own path (the
 * rest of Portkey's control plane, and other methods, stay 501).
 */
export const ADMIN_SEGMENTS: Readonly<Record<string, readonly string[]>> = {
  configs: ['GET', 'POST'],
  'virtual-keys': ['GET', 'POST'],
  integrations: ['GET', 'POST'],
  providers: ['GET', 'POST'],
  'api-keys': ['GET'],
  guardrails: ['GET', 'POST'],
  prompts: ['GET', 'POST'],
  labels: ['GET', 'POST'],
  collections: ['GET', 'POST'],
  feedback: ['POST'],
};

/**
 * Portkey's admin API on the gateway, under `/v1` (where `PORTKEY_BASE_URL` points the SDK) and
 * without the prefix like every route: configs, virtual keys, API keys, guardrails (admin key) and
 * feedback (any key). Request headers other than the key (`x-portkey-config`, `-virtual-key`,
 * `-trace-id` …, which the SDK adds to every call) play no part here. Errors carry the message at
 * the top level too, for the SDK's admin client.
 */
export async function adminRoutes(app: FastifyInstance, options: AdminRouteOptions): Promise<void> {
  for (const prefix of ['/v1', '']) {
    await app.register(adminRouteSet, { ...options, prefix });
  }
}

/**
 * The admin routes once, at the prefix they are registered with: `/v1` and `` for the API, and the
 * console's `/console/api` (the same handlers behind the console's session check).
 */
export async function adminRouteSet(scope: FastifyInstance, given: AdminRouteOptions): Promise<void> {
  // Not the `prefix` this set was registered with: the routes below are relative to it.
  const options: AdminRouteOptions = { store: given.store, guardrails: given.guardrails, usage: given.usage };
  markPortkeyAdminRoutes(scope);
  scope.addHook('preValidation', refuseNulInAddress);
  await scope.register(configRoutes, options);
  await scope.register(virtualKeyRoutes, options);
  await scope.register(integrationRoutes, options);
  await scope.register(apiKeyRoutes, options);
  await scope.register(guardrailRoutes, options);
  await scope.register(promptRoutes, options);
  await scope.register(labelRoutes, options);
  await scope.register(collectionRoutes, options);
  await scope.register(feedbackRoutes, options);
}
