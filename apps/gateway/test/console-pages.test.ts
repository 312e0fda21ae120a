import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGateway } from './server-process.js';
import { requestLineOf, writeMarkerLine } from './support/output-lines.js';

// The console's page and files through the built gateway, as a browser asks for them: each answer's
// status is the one its request line logs, and serving a file is not followed by a second answer
// (fastify's "Reply was already sent" warning, once logged for every console file served).
let gateway: GatewayProcess;

beforeAll(async () => {
  gateway = await startGateway({ PK_LOG_FLUSH_MS: '0' });
});
afterAll(() => {
  gateway?.child.kill('SIGTERM');
});

async function loggedStatusOf(traceId: string): Promise<number | undefined> {
  return (await gateway.waitForLine(requestLineOf(traceId))).status;
}

async function get(
  path: string,
): Promise<{ status: number; text: string; loggedStatus: number | undefined }> {
  const response = await fetch(`${gateway.url}${path}`);
  const text = await response.text();
  const traceId = response.headers.get('x-portkey-trace-id') ?? '';
  return { status: response.status, text, loggedStatus: await loggedStatusOf(traceId) };
}

describe('the console’s page and files', () => {
  it('are answered once, with the status their request lines log', async () => {
    const page = await get('/console');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html');
    expect(page.loggedStatus).toBe(200);

    // A view's address serves the same page (the console routes in the browser).
    const view = await get('/console/logs');
    expect(view).toMatchObject({ status: 200, loggedStatus: 200 });

    const script = /src="\/console\/(assets\/[^"]+\.js)"/.exec(page.text)?.[1];
    expect(script).toBeDefined();
    const asset = await get(`/console/${script}`);
    expect(asset).toMatchObject({ status: 200, loggedStatus: 200 });

    const missing = await get('/console/assets/no-such-file.js');
    expect(missing).toMatchObject({ status: 404, loggedStatus: 404 });
    expect(JSON.parse(missing.text)).toMatchObject({ error: { code: 'PK_ERR_NOT_FOUND' } });

    await writeMarkerLine(gateway);
    expect(gateway.output()).not.toContain('Reply was already sent');
  });
});
