import { type CreatedGatewayKey, openStore } from '@pk/store';
import { Portkey } from 'portkey-ai';
import { type GatewayProcess, startGateway } from '../server-process.js';
import { type EngineSetup, setUpEngine } from './store-fixtures.js';

/** The built gateway on a store of its own, with the keys `pk init` and the CLI would have made. */
export interface SdkGateway {
  readonly setup: EngineSetup;
  readonly gateway: GatewayProcess;
  readonly adminKey: string;
  readonly adminId: string;
  /** A user key of the tenant `app`. */
  readonly userKey: string;
  /** Stops the gateway, removes its store and gives `PORTKEY_BASE_URL` its value back. */
  stop(): Promise<void>;
}

/**
 * Starts the built gateway as a process on `engine` (a store of its own, see {@link setUpEngine}),
 * after writing an admin key and a user key to the store as `pk init` does (before the gateway runs),
 * and points the official SDK at it through `PORTKEY_BASE_URL`, as a user's admin script is.
 */
export async function startSdkGateway(
  engine: 'sqlite' | 'postgres',
  options: { readonly proxy?: boolean; readonly env?: Record<string, string> } = {},
): Promise<SdkGateway> {
  const setup = await setUpEngine(engine, { proxy: options.proxy === true });
  let gateway: GatewayProcess;
  let admin: CreatedGatewayKey;
  let user: CreatedGatewayKey;
  try {
    const store = await openStore({ ...setup.storeOptions, serve: false, onWarning: () => undefined });
    admin = await store.gatewayKeys.create({ name: 'admin', role: 'admin' }, 'cli');
    user = await store.gatewayKeys.create({ name: 'app', tenant: 'app' }, 'cli');
    await store.close();
    gateway = await startGateway({ ...setup.env, ...options.env });
  } catch (error) {
    // A start that failed leaves no database, folder or proxy behind.
    await setup.cleanup();
    throw error;
  }
  const previousBaseUrl = process.env.PORTKEY_BASE_URL;
  process.env.PORTKEY_BASE_URL = `${gateway.url}/v1`;
  return {
    setup,
    gateway,
    adminKey: admin.secret,
    adminId: admin.record.id,
    userKey: user.secret,
    async stop() {
      if (previousBaseUrl === undefined) delete process.env.PORTKEY_BASE_URL;
      else process.env.PORTKEY_BASE_URL = previousBaseUrl;
      gateway.child.kill('SIGTERM');
      await gateway.exited;
      await setup.cleanup();
    },
  };
}

/**
 * Adds the integration `openai-prod` (OpenAI's adapter, pointing at a mock provider's `url`) with
 * the admin key, as a user's admin script would: requests name it `@openai-prod/<model>`.
 */
export async function addMockIntegration(
  running: SdkGateway,
  url: string,
  key = 'sk-mock-0123456789',
): Promise<void> {
  await new Portkey({ apiKey: running.adminKey }).integrations.create({
    name: 'OpenAI production',
    slug: 'openai-prod',
    ai_provider_id: 'openai',
    key,
    configurations: { custom_host: `${url}/v1` },
  });
}
