import { openStore } from '@pk/store';
import { requirePostgres } from '@pk/store/testing';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portkeyHeadersOf } from './support/feature-gateway.js';
import { textLine } from './support/output-lines.js';
import { type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';
import { addMockIntegration, type SdkGateway, startSdkGateway } from './support/sdk-gateway.js';

// Circuit breakers an operator can see and close (pk's `GET /v1/breakers`, `DELETE
// /v1/breakers/:id`), through the built gateway on its embedded defaults (in-process breakers): an
// app opens a saved config's breaker through the portkey-ai SDK, the admin API lists it with its
// config, target and times, closing it sends the next request to the target again, and the close
// is audited. Breakers shared by replicas through Redis are listed and closed in
// `breaker-redis.test.ts`.
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];
const COOLDOWN_MS = 60_000;
const postgresUp = await requirePostgres('closing a breaker with the database down');

/** A saved config whose first target always fails (500) and opens its breaker after `threshold` failures. */
async function createBreakingConfig(running: SdkGateway, threshold: number): Promise<string> {
  const config = await new Portkey({ apiKey: running.adminKey }).configs.create({
    name: 'Chat with a breaker',
    config: {
      strategy: {
        mode: 'fallback',
        cb_config: { failure_threshold: threshold, cooldown_interval: COOLDOWN_MS },
      },
      targets: [
        { provider: '@openai-prod', override_params: { model: 'fail-500' } },
        { provider: '@openai-prod', override_params: { model: 'cb-admin-backup' } },
      ],
    },
  });
  return config.slug as string;
}

interface BreakerObject {
  readonly id: string;
  readonly state: string;
  readonly open_until: string | null;
  readonly failures: number;
  readonly successes: number;
  readonly window_started_at: string | null;
  readonly window_ends_at: string | null;
  readonly cooldown_interval: number | null;
  readonly target_path: string | null;
  readonly target: Record<string, unknown> | null;
  readonly config: Record<string, unknown>;
}
interface BreakerList {
  readonly breaker_store: string;
  readonly total: number;
  readonly data: BreakerObject[];
}

describe('circuit breakers an operator sees and closes (in-process store)', () => {
  let running: SdkGateway;
  let mock: ProviderMock;
  let slug: string;

  beforeAll(async () => {
    mock = await startProviderMock();
    running = await startSdkGateway('sqlite');
    await addMockIntegration(running, mock.url);
    slug = await createBreakingConfig(running, 2);
  });
  afterAll(async () => {
    await running?.stop();
    await mock?.close();
  });

  const admin = (path: string, init: { method?: string; key?: string } = {}) =>
    fetch(`${running.gateway.url}/v1${path}`, {
      method: init.method ?? 'GET',
      headers: { 'x-portkey-api-key': init.key ?? running.adminKey },
    });
  const list = async (query = ''): Promise<BreakerList> => {
    const response = await admin(`/breakers${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as BreakerList;
  };

  it('lists the breaker an app opened, closes it, and the next request reaches the target again', async () => {
    const app = new Portkey({ apiKey: running.userKey, config: slug });
    const ask = async () => {
      const answer = await app.chat.completions.create({ model: 'gpt-4o-mini', messages });
      expect(answer.choices[0]?.message?.content).toBe('The capital of France is Paris.');
      return portkeyHeadersOf(answer)['last-used-option-index'];
    };
    expect(await list()).toMatchObject({ breaker_store: 'memory', total: 0, data: [] });

    // Two failures of the primary open its breaker; the third request skips it.
    const before = Date.now();
    expect(await ask()).toBe('config.targets[1]');
    expect(await ask()).toBe('config.targets[1]');
    expect(mock.forModel('fail-500')).toHaveLength(2);
    expect(await ask()).toBe('config.targets[1]');
    expect(mock.forModel('fail-500')).toHaveLength(2);

    const listed = await list();
    expect(listed.total).toBe(1);
    const [breaker] = listed.data;
    expect(breaker).toMatchObject({
      object: 'circuit-breaker',
      state: 'open',
      failures: 2,
      cooldown_interval: COOLDOWN_MS,
      target_path: 'config.targets[0]',
      target: {
        virtual_key: 'openai-prod',
        provider: 'openai',
        model: 'fail-500',
        custom_host: new URL(mock.url).origin,
      },
      config: { type: 'saved', slug },
      window_ends_at: null,
    });
    const openUntil = Date.parse(breaker?.open_until ?? '');
    expect(openUntil).toBeGreaterThan(before + COOLDOWN_MS - 1);
    expect(openUntil).toBeLessThanOrEqual(Date.now() + COOLDOWN_MS);
    expect(JSON.stringify(listed)).not.toContain('sk-mock');

    // Closed by the admin: the next request tries the primary again (and, failing, counts afresh).
    const closed = await admin(`/breakers/${encodeURIComponent(breaker?.id ?? '')}`, { method: 'DELETE' });
    expect(closed.status).toBe(200);
    expect(await closed.json()).toEqual({
      id: breaker?.id,
      object: 'circuit-breaker',
      state: 'closed',
      was_open: true,
    });
    expect(await ask()).toBe('config.targets[1]');
    expect(mock.forModel('fail-500')).toHaveLength(3);
    expect((await list()).data).toMatchObject([{ id: breaker?.id, state: 'counting', failures: 1 }]);

    // The close is in the audit log, with the acting key.
    const store = await openStore({
      ...running.setup.storeOptions,
      serve: false,
      onWarning: () => undefined,
    });
    try {
      const entries = await store.audit.list({ entity: 'circuit_breaker' });
      expect(entries.map((entry) => [entry.action, entry.entityId, entry.actor])).toEqual([
        ['close', breaker?.id, `key:${running.adminId}`],
      ]);
    } finally {
      await store.close();
    }
  });

  it("lists an inline config's breaker while it counts failures, by the key that sent it", async () => {
    const app = new Portkey({
      apiKey: running.userKey,
      config: {
        strategy: { mode: 'fallback', cb_config: { failure_threshold: 5, cooldown_interval: 45_000 } },
        targets: [
          { provider: '@openai-prod', override_params: { model: 'fail-503' } },
          { provider: '@openai-prod', override_params: { model: 'cb-admin-inline-backup' } },
        ],
      },
    });
    const answer = await app.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(answer.choices[0]?.message?.content).toBe('The capital of France is Paris.');
    const counting = (await list('?state=counting')).data.filter(
      (found) => found.target?.model === 'fail-503',
    );
    expect(counting).toMatchObject([
      {
        state: 'counting',
        open_until: null,
        failures: 1,
        successes: 0,
        cooldown_interval: 45_000,
        target_path: 'config.targets[0]',
        config: { type: 'inline', gateway_key_name: 'app' },
      },
    ]);
    const started = Date.parse(counting[0]?.window_started_at ?? '');
    expect(Date.parse(counting[0]?.window_ends_at ?? '')).toBe(started + 45_000);
    expect((await list('?state=open')).data.map((found) => found.target?.model)).not.toContain('fail-503');
  });

  it('answers bad input and keys that may not use it with clear errors', async () => {
    const user = await admin('/breakers', { key: running.userKey });
    expect(user.status).toBe(403);
    expect(await user.json()).toMatchObject({ error: { code: 'PK_ERR_FORBIDDEN' } });
    const closeByUser = await admin('/breakers/anything', { method: 'DELETE', key: running.userKey });
    expect(closeByUser.status).toBe(403);
    for (const [query, param] of [
      ['?state=half-open', 'state'],
      ['?limit=0', 'limit'],
      ['?limit=1001', 'limit'],
      ['?limit=ten', 'limit'],
    ] as const) {
      const response = await admin(`/breakers${query}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'PK_ERR_INVALID_REQUEST', param } });
    }
    const unknown = await admin('/breakers/not-a-breaker', { method: 'DELETE' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({
      error: { code: 'PK_ERR_RECORD_NOT_FOUND' },
      // As on every admin route: where the portkey-ai SDK's admin client reads it.
      message: 'no circuit breaker has this id',
    });
  });
});

describe.runIf(postgresUp)('closing a breaker with the database down (PostgreSQL)', () => {
  let running: SdkGateway;
  let mock: ProviderMock;

  beforeAll(async () => {
    mock = await startProviderMock();
    running = await startSdkGateway('postgres', { proxy: true });
    await addMockIntegration(running, mock.url);
  });
  afterAll(async () => {
    running?.setup.proxy?.restore();
    await running?.stop();
    await mock?.close();
  });

  it('still lists and closes it (breakers are not in the database); the close goes to the log line', async () => {
    const slug = await createBreakingConfig(running, 1);
    const app = new Portkey({ apiKey: running.userKey, config: slug });
    await app.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const id = `saved:app:${slug}:config.targets[0]`;
    running.setup.proxy?.cut();
    try {
      const headers = { 'x-portkey-api-key': running.adminKey };
      const listed = (await (
        await fetch(`${running.gateway.url}/v1/breakers`, { headers })
      ).json()) as BreakerList;
      expect(listed.data.map((breaker) => [breaker.id, breaker.state])).toEqual([[id, 'open']]);
      const closed = await fetch(`${running.gateway.url}/v1/breakers/${encodeURIComponent(id)}`, {
        method: 'DELETE',
        headers,
      });
      expect(closed.status).toBe(200);
      expect(await closed.json()).toMatchObject({ state: 'closed', was_open: true });
      const before = mock.forModel('fail-500').length;
      await app.chat.completions.create({ model: 'gpt-4o-mini', messages });
      expect(mock.forModel('fail-500')).toHaveLength(before + 1);
      // The gateway's stdout arrives a little later than its answer.
      const line = JSON.stringify(
        await running.gateway.waitForLine(textLine('the audit log could not be written')),
      );
      expect(line).toContain(id);
      expect(line).toContain(`key:${running.adminId}`);
    } finally {
      running.setup.proxy?.restore();
    }
  });
});
