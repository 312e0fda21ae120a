import { type FeatureGateway, startFeatureGateway } from './feature-gateway.js';
import { type ProviderMock, startProviderMock } from './recording-provider-mock.js';
import { temporaryDataDir } from './store-fixtures.js';

/** A gateway key of the settings file: its id and its secret. */
export interface GatewayKeySetting {
  readonly id: string;
  readonly key: string;
}

/**
 * A recording provider mock and the built gateway in front of it, its log store in a data directory
 * of its own, with a user's gateway key and an admin's (who reads the logs).
 */
export interface LoggedGateway {
  readonly mock: ProviderMock;
  readonly gateway: FeatureGateway;
  /** GET `path` (under `/v1`) with the admin key: the JSON answered. */
  adminGet<T>(path: string): Promise<T>;
  /** Stops the gateway and the mock, then removes the data directory. */
  stop(): Promise<void>;
}

/**
 * Starts the mock, then the gateway with `PK_DATA_DIR` a fresh directory; `virtualKeys` gets the
 * mock (to point custom hosts at it). A start that fails leaves no mock or directory behind.
 */
export async function startLoggedGateway(options: {
  readonly user: GatewayKeySetting;
  readonly admin: GatewayKeySetting;
  readonly virtualKeys?: (mock: ProviderMock) => Record<string, unknown>;
  readonly env?: Readonly<Record<string, string>>;
}): Promise<LoggedGateway> {
  const mock = await startProviderMock();
  const dataDir = temporaryDataDir();
  let gateway: FeatureGateway;
  try {
    gateway = await startFeatureGateway({
      mock,
      settings: {
        gateway_keys: [options.user, { ...options.admin, role: 'admin' }],
        ...(options.virtualKeys === undefined ? {} : { virtual_keys: options.virtualKeys(mock) }),
      },
      env: { ...options.env, PK_DATA_DIR: dataDir.path },
    });
  } catch (error) {
    await mock.close();
    dataDir.remove();
    throw error;
  }
  return {
    mock,
    gateway,
    async adminGet<T>(path: string): Promise<T> {
      const response = await fetch(`${gateway.base}${path}`, {
        headers: { 'x-portkey-api-key': options.admin.key },
      });
      return (await response.json()) as T;
    },
    async stop() {
      await gateway.stop();
      await mock.close();
      dataDir.remove();
    },
  };
}
