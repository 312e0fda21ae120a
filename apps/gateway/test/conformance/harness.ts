import { afterAll, beforeAll, describe, it } from 'vitest';
import { type GatewayProcess, startGateway } from '../server-process.js';
import { type ProviderMock, startProviderMock } from '../support/provider-mock.js';
import { type DialectId, FAMILIES, type Family, FEATURES, type FeatureId } from './families.js';

/** A 1×1 PNG, base64. */
export const TINY_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

/** What one cell's test gets. */
export interface Cell {
  readonly family: Family;
  /** `http://127.0.0.1:<port>` of the built gateway process. */
  readonly gatewayUrl: string;
  readonly mock: ProviderMock;
  /** The `x-portkey-config` header routing to this family on the mock. */
  readonly config: string;
}

/** One cell's test, by feature. */
export type CellCases = Readonly<Record<FeatureId, (cell: Cell) => Promise<void>>>;

/**
 * The conformance suite of one client dialect: the built gateway started as a process, one mock
 * speaking every provider's wire format, and for every provider family and feature one test that
 * drives the dialect's official SDK through the gateway (routed by an `x-portkey-config`) and checks
 * what the mock received and what the SDK returned. Test names are `<dialect> → <family> › <feature>`.
 */
export function conformanceSuite(dialect: DialectId, cases: CellCases): void {
  let gateway: GatewayProcess;
  let mock: ProviderMock;
  beforeAll(async () => {
    mock = await startProviderMock();
    gateway = await startGateway();
  });
  afterAll(async () => {
    gateway?.child.kill('SIGTERM');
    await gateway?.exited;
    await mock?.close();
  });
  describe.each(FAMILIES.map((family) => [family.label, family] as const))(
    `${dialect} → %s`,
    (_label, family) => {
      it.each(FEATURES.map((feature) => [feature.label, feature.id] as const))('%s', async (_feature, id) => {
        mock.answer = undefined;
        await cases[id]({
          family,
          gatewayUrl: gateway.url,
          mock,
          config: JSON.stringify(family.target(mock.url)),
        });
      });
    },
  );
}
