import { beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../../server-process.js';

// Gateways a test file loses: server-process.test.ts runs this file in a vitest of its own and then
// looks for processes carrying the mark.
const env = { GATEWAY_TEST_MARK: process.env.GATEWAY_TEST_FIXTURE_MARK ?? 'unmarked' };

describe('a beforeAll that times out while its gateway starts', () => {
  beforeAll(async () => {
    await startGateway(env);
  }, 50);

  it('never runs', () => {
    expect.unreachable();
  });
});

describe('a test that never stops the gateway it started (no afterAll)', () => {
  it('starts one and leaves it running', async () => {
    const gateway = await startGateway(env);
    expect(gateway.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
