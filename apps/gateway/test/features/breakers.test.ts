import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FeatureGateway,
  portkeyHeadersOf,
  postJson,
  startFeatureGateway,
} from '../support/feature-gateway.js';
import { type ProviderMock, startProviderMock } from '../support/recording-provider-mock.js';

// Feature suite: circuit breakers (hosted Portkey's `strategy.cb_config`, gateway README) through
// the built gateway process. The end of a cooldown is shown in-process with the fake clock
// (`time-rules.test.ts`); breakers shared by two processes through Redis in `breaker-redis.test.ts`.
const KEYS = { victim: 'pk-features-breakers-victim', mallory: 'pk-features-breakers-mallory' };
let mock: ProviderMock;
let gateway: FeatureGateway;
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];
const breaker = { failure_threshold: 1, cooldown_interval: 60_000 };
const target = (model: string) => ({ virtual_key: 'openai-a', override_params: { model } });

beforeAll(async () => {
  mock = await startProviderMock();
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [
        { id: 'victim', key: KEYS.victim },
        { id: 'mallory', key: KEYS.mallory },
      ],
      virtual_keys: {
        'openai-a': {
          provider: 'openai',
          api_key: 'sk-breakers',
          options: { custom_host: `${mock.url}/v1` },
        },
      },
      configs: {
        'pc-shared': {
          id: 'pc-shared',
          strategy: { mode: 'fallback', cb_config: breaker },
          targets: [target('cb-victim-primary'), target('cb-victim-backup')],
        },
      },
    },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
});

const chat = (config: unknown, key: string = KEYS.victim) =>
  postJson(
    `${gateway.base}/chat/completions`,
    { model: 'gpt-4o-mini', messages },
    {
      'x-portkey-api-key': key,
      'x-portkey-config': typeof config === 'string' ? config : JSON.stringify(config),
    },
  );

describe('circuit breakers', () => {
  it('failures open a target’s breaker: the next request skips it and the fallback answers at once', async () => {
    const config = {
      strategy: { mode: 'fallback', cb_config: breaker },
      targets: [target('fail-500'), target('cb-open-backup')],
    };
    const before = mock.forModel('fail-500').length;
    const first = await chat(config);
    expect(first.status).toBe(200);
    const second = await chat(config);
    expect(second.status).toBe(200);
    expect(second.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[1]');
    expect(mock.forModel('fail-500').length - before).toBe(1);
    expect(mock.forModel('cb-open-backup')).toHaveLength(2);
  });

  it('a target that times out opens its breaker by default: after 2 timeouts requests skip it at once', async () => {
    // The primary sends its headers after 1 s; its request_timeout (300 ms) answers 408 each time.
    mock.script('cb-hang-primary', [{ delayMs: 1000, json: { error: { message: 'too late' } } }]);
    const client = new Portkey({
      baseURL: gateway.base,
      apiKey: KEYS.victim,
      config: {
        strategy: { mode: 'fallback', cb_config: { failure_threshold: 2, cooldown_interval: 60_000 } },
        targets: [{ ...target('cb-hang-primary'), request_timeout: 300 }, target('cb-hang-backup')],
      },
    });
    const answers: { ms: number; option: string | undefined }[] = [];
    for (let index = 0; index < 4; index += 1) {
      const started = performance.now();
      const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
      answers.push({
        ms: performance.now() - started,
        option: portkeyHeadersOf(completion)['last-used-option-index'],
      });
    }
    expect(answers.map((answer) => answer.option)).toEqual(Array(4).fill('config.targets[1]'));
    // The first two waited for the timeout; the breaker then opened and the others skip the primary.
    expect(answers[0]?.ms).toBeGreaterThanOrEqual(290);
    expect(answers[1]?.ms).toBeGreaterThanOrEqual(290);
    expect(answers[2]?.ms).toBeLessThan(250);
    expect(answers[3]?.ms).toBeLessThan(250);
    expect(mock.forModel('cb-hang-primary')).toHaveLength(2);
    expect(mock.forModel('cb-hang-backup')).toHaveLength(4);
  });

  it('every breaker open with on_all_open: fail_fast → 503 PK_ERR_CIRCUIT_OPEN with Retry-After, no upstream call', async () => {
    const config = {
      strategy: { mode: 'fallback', cb_config: { ...breaker, on_all_open: 'fail_fast' } },
      targets: [target('fail-502'), target('fail-503')],
    };
    await chat(config);
    const before = mock.received.length;
    const response = await chat(config);
    expect(response.status).toBe(503);
    expect(response.json).toMatchObject({ error: { code: 'PK_ERR_CIRCUIT_OPEN' } });
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(mock.received.length).toBe(before);
  });

  it('[defect 4] an inline config naming a saved config’s id cannot open that saved config’s breakers', async () => {
    const attack = {
      id: 'pc-shared',
      strategy: { mode: 'fallback', cb_config: breaker },
      targets: [target('fail-500'), target('cb-mallory-backup')],
    };
    const tripped = await chat(attack, KEYS.mallory);
    expect(tripped.status).toBe(200);
    expect(mock.forModel('cb-mallory-backup')).toHaveLength(1);
    const victim = new Portkey({ baseURL: gateway.base, apiKey: KEYS.victim, config: 'pc-shared' });
    const completion = await victim.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(portkeyHeadersOf(completion)['last-used-option-index']).toBe('config.targets[0]');
    expect(mock.forModel('cb-victim-primary')).toHaveLength(1);
    expect(mock.forModel('cb-victim-backup')).toHaveLength(0);
  });

  it('[defect 4] one tenant’s failures never open another tenant’s breakers for the same inline config', async () => {
    const config = {
      strategy: { mode: 'fallback', cb_config: breaker },
      targets: [target('fail-504'), target('cb-tenant-backup')],
    };
    await chat(config, KEYS.mallory);
    const before = mock.forModel('fail-504').length;
    const response = await chat(config, KEYS.victim);
    expect(response.status).toBe(200);
    expect(mock.forModel('fail-504').length - before).toBe(1);
  });

  it('[defect 4] cooldown_interval outside 30 s – 1 h is refused with 400 naming its path', async () => {
    const before = mock.received.length;
    for (const cooldown of [1000, 7_200_000]) {
      const response = await chat({
        strategy: { mode: 'fallback', cb_config: { failure_threshold: 1, cooldown_interval: cooldown } },
        targets: [target('cb-bounds-a'), target('cb-bounds-b')],
      });
      expect(response.status).toBe(400);
      expect(response.json).toMatchObject({ error: { code: 'PK_ERR_INVALID_CONFIG' } });
      expect(String((response.json.error as { message: string }).message)).toContain(
        'config.strategy.cb_config.cooldown_interval',
      );
    }
    expect(mock.received.length).toBe(before);
  });
});
