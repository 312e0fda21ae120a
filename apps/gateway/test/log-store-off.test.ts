import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGateway } from './server-process.js';

// PK_LOG_STORE=off: the logs API is not a feature pk lacks but one this gateway was started without.
let gateway: GatewayProcess;
beforeAll(async () => {
  gateway = await startGateway({ PK_LOG_STORE: 'off' });
});
afterAll(() => {
  gateway?.child.kill('SIGKILL');
});

describe('PK_LOG_STORE=off', () => {
  it('GET /v1/logs says the log store is off, not that pk does not implement it', async () => {
    for (const path of ['/v1/logs', '/logs?trace_id=abc', '/v1/logs/log_123']) {
      const response = await fetch(`${gateway.url}${path}`);
      expect(response.status).toBe(501);
      const { error } = (await response.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('PK_ERR_NOT_IMPLEMENTED');
      expect(error.message).toBe(
        `${path.split('?')[0]} is off: this gateway runs without the request log store (PK_LOG_STORE=off)`,
      );
    }
  });
});
