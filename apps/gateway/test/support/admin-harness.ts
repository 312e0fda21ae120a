import { openStore, type Store } from '@pk/store';
import { Portkey } from 'portkey-ai';
import { secretResolverFor } from '../../src/guardrails/stored-guardrails.js';
import { resolveSettings } from '../../src/settings/load-settings.js';
import { settingsRecordsOf } from '../../src/settings/settings-records.js';
import { type RunningGateway, startGatewayApp } from './gateway-harness.js';
import { temporaryDataDir } from './store-fixtures.js';

/** A gateway app on a real port over a fresh SQLite store, with an admin key and a user key. */
export interface AdminGateway {
  readonly gateway: RunningGateway;
  readonly store: Store;
  /** `http://127.0.0.1:<port>/v1`, what `PORTKEY_BASE_URL` would be. */
  readonly baseURL: string;
  readonly adminKey: string;
  readonly adminKeyId: string;
  readonly userKey: string;
  /** The official SDK with the admin key (and the options given, e.g. a config the calls must ignore). */
  portkey(options?: Record<string, unknown>): Portkey;
  /** A raw call: status, parsed body and headers. */
  call(
    method: string,
    path: string,
    options?: { key?: string | undefined; body?: unknown },
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;
  close(): Promise<void>;
}

/**
 * Starts the gateway app with a store of its own (removed on close). `settings` is the settings
 * file's content; `env` resolves its `env:` references and the store's guardrail secrets.
 */
export async function startAdminGateway(
  settings: Record<string, unknown> = {},
  env: Record<string, string> = {},
): Promise<AdminGateway> {
  const dataDir = temporaryDataDir();
  const resolved = resolveSettings(settings, { env, files: new Map() });
  const store = await openStore({
    dataDir: dataDir.path,
    settings: settingsRecordsOf(resolved, 'pk.yaml'),
    parseOptions: { trustedCustomHosts: resolved.customHostTrust },
    onWarning: () => undefined,
  });
  const admin = await store.gatewayKeys.create({ id: 'admin-1', name: 'admin', role: 'admin' }, 'cli');
  const user = await store.gatewayKeys.create({ id: 'user-1', name: 'user', tenant: 'team-u' }, 'cli');
  const gateway = await startGatewayApp(settings, env, { store, resolveSecret: secretResolverFor(env) });
  const baseURL = `${gateway.url}/v1`;
  return {
    gateway,
    store,
    baseURL,
    adminKey: admin.secret,
    adminKeyId: admin.record.id,
    userKey: user.secret,
    portkey: (options = {}) => new Portkey({ apiKey: admin.secret, baseURL, ...options }),
    async call(method, path, options = {}) {
      const key = 'key' in options ? options.key : admin.secret;
      const response = await fetch(`${baseURL}${path}`, {
        method,
        headers: {
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(key === undefined ? {} : { 'x-portkey-api-key': key }),
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
      const text = await response.text();
      return {
        status: response.status,
        body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>,
        headers: response.headers,
      };
    },
    async close() {
      await gateway.close();
      await store.close();
      dataDir.remove();
    },
  };
}

/** What an SDK call threw (status, message, parsed body), or fails the test when it did not throw. */
export async function sdkError(
  call: Promise<unknown>,
): Promise<{ status: number | undefined; message: string; name: string; body: Record<string, unknown> }> {
  try {
    await call;
  } catch (error) {
    const failure = error as {
      status?: number;
      message: string;
      constructor: { name: string };
      error?: unknown;
    };
    return {
      status: failure.status,
      message: failure.message,
      name: failure.constructor.name,
      body: (failure.error ?? {}) as Record<string, unknown>,
    };
  }
  throw new Error('expected the call to fail');
}
