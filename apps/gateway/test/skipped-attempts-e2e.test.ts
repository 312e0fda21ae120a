import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoggedGateway, startLoggedGateway } from './support/logged-gateway.js';

// A target the gateway did not send to says so, and why, in the request's log line and its log
// record: one its circuit breaker skipped (open) and one its key's limit refused. Built gateway with
// its log store, the openai SDK, the recording provider mock.
const USER = { id: 'skip-user', key: 'pk-skipped-attempts-user' };
const ADMIN = { id: 'skip-admin', key: 'pk-skipped-attempts-admin' };
let logged: LoggedGateway;

interface StoredAttempt {
  readonly target_path: string;
  readonly status: number;
  readonly error_code: string | null;
  readonly not_sent: boolean;
}

beforeAll(async () => {
  logged = await startLoggedGateway({
    user: USER,
    admin: ADMIN,
    virtualKeys: (mock) => ({
      open: { provider: 'openai', api_key: 'sk-open', options: { custom_host: `${mock.url}/v1` } },
      // A request-rate limit of 0: Portkey's way to disable a key; every attempt under it is refused.
      disabled: {
        provider: 'openai',
        api_key: 'sk-disabled',
        options: { custom_host: `${mock.url}/v1` },
        rate_limits: [{ type: 'requests', unit: 'rpm', value: 0 }],
      },
    }),
  });
});
afterAll(async () => {
  await logged?.stop();
});

async function ask(config: unknown, traceId: string): Promise<void> {
  const client = new OpenAI({
    baseURL: logged.gateway.base,
    apiKey: USER.key,
    maxRetries: 0,
    defaultHeaders: {
      'x-portkey-api-key': USER.key,
      'x-portkey-config': JSON.stringify(config),
      'x-portkey-trace-id': traceId,
    },
  });
  const completion = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
  });
  expect(completion.object).toBe('chat.completion');
}

async function storedAttempts(traceId: string): Promise<StoredAttempt[]> {
  const until = Date.now() + 10_000;
  for (;;) {
    const { data } = await logged.adminGet<{ data: { attempts: StoredAttempt[] }[] }>(
      `/logs?trace_id=${traceId}`,
    );
    if (data?.length === 1 || Date.now() > until) return data?.[0]?.attempts ?? [];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('attempts never sent', () => {
  it('a target skipped by its open breaker is in the log line and the record, not sent, with PK_ERR_CIRCUIT_OPEN', async () => {
    const config = {
      strategy: { mode: 'fallback', cb_config: { failure_threshold: 1, cooldown_interval: 60_000 } },
      targets: [
        { virtual_key: 'open', override_params: { model: 'fail-500' } },
        { virtual_key: 'open', override_params: { model: 'skip-backup' } },
      ],
    };
    await ask(config, 'skip-breaker-1');
    await ask(config, 'skip-breaker-2');
    expect(logged.mock.forModel('fail-500')).toHaveLength(1);
    expect(logged.mock.forModel('skip-backup')).toHaveLength(2);
    const [line] = await logged.gateway.waitForRequestLines('skip-breaker-2');
    expect(line?.attempts).toBe(1);
    expect(line?.attemptLog).toMatchObject([
      { targetPath: 'config.targets[0]', status: 503, errorCode: 'PK_ERR_CIRCUIT_OPEN', notSent: true },
      { targetPath: 'config.targets[1]', status: 200 },
    ]);
    expect(await storedAttempts('skip-breaker-2')).toMatchObject([
      { target_path: 'config.targets[0]', status: 503, error_code: 'PK_ERR_CIRCUIT_OPEN', not_sent: true },
      { target_path: 'config.targets[1]', status: 200, error_code: null, not_sent: false },
    ]);
  });

  it('a target its key’s limit refused is kept in the record as not sent', async () => {
    const config = {
      strategy: { mode: 'fallback' },
      targets: [
        { virtual_key: 'disabled', override_params: { model: 'limited-first' } },
        { virtual_key: 'open', override_params: { model: 'limited-backup' } },
      ],
    };
    await ask(config, 'skip-limit');
    expect(logged.mock.forModel('limited-first')).toHaveLength(0);
    expect(await storedAttempts('skip-limit')).toMatchObject([
      { target_path: 'config.targets[0]', status: 429, error_code: 'PK_ERR_RATE_LIMITED', not_sent: true },
      { target_path: 'config.targets[1]', status: 200, not_sent: false },
    ]);
  });
});
