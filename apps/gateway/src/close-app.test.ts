import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { closeAppPromptly } from './close-app.js';

async function listening(routeDelayMs = 0) {
  const app = Fastify();
  let routeStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    routeStarted = resolve;
  });
  app.get('/slow', async () => {
    routeStarted();
    await new Promise((resolve) => setTimeout(resolve, routeDelayMs));
    return { ok: true };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, port: (app.server.address() as AddressInfo).port, routeStarted: started };
}

describe('closeAppPromptly', () => {
  it('ends a connection that never sent a byte after the grace, where app.close() alone waits for the headers timeout', async () => {
    const { app, port } = await listening();
    const spare = connect(port, '127.0.0.1');
    await once(spare, 'connect');
    const ended = once(spare, 'close');
    const started = Date.now();
    await closeAppPromptly(app, 200);
    await ended;
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('lets an answer under way within the grace finish, then closes at once', async () => {
    const { app, port, routeStarted } = await listening(100);
    const answer = fetch(`http://127.0.0.1:${port}/slow`, { headers: { connection: 'close' } });
    // Under way once its route runs (a fixed 20 ms wait, on a loaded machine, closed before it arrived).
    await routeStarted;
    const started = Date.now();
    await closeAppPromptly(app, 1000);
    const response = await answer;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(Date.now() - started).toBeLessThan(900);
  });
});
