import Anthropic from '@anthropic-ai/sdk';
import { createTemporaryDatabase, requirePostgres, type TemporaryDatabase } from '@pk/store/testing';
import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium, launchChromium, screenshot } from './support/browser.js';
import { type FeatureGateway, rejectionOf, startFeatureGateway } from './support/feature-gateway.js';
import { chatChunksCutByServerError, IN_BAND_SERVER_ERROR } from './support/provider-answers.js';
import { chatChunks, type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';
import { temporaryDataDir } from './support/store-fixtures.js';
import { adminGetter, storedRecordOf } from './support/stored-records.js';

// What went wrong, in a request's record: the guardrail results of a denied request (446) with the
// body it was refused for, the error answer the client got (the provider's 500, a stream cut by an
// in-band error or a broken connection, pk's own 429 and 446) and its message. Through the built
// gateway with PK_LOG_BODIES=true and the official SDKs, on SQLite and PostgreSQL, read back through
// GET /v1/logs/:id and the console's request view in Chromium.
const postgresUp = await requirePostgres('log detail on PostgreSQL');
const chromiumPath = findChromium();
const USER_KEY = 'pk-log-detail-user';
const ADMIN_KEY = 'pk-log-detail-admin';
const EMAIL = 'ada.lovelace@example.com';

type Json = Record<string, unknown>;

describe.each([
  ['sqlite', true],
  ['postgres', postgresUp],
] as const)('the record of a request that went wrong, on %s', (engine, available) => {
  let mock: ProviderMock;
  let gateway: FeatureGateway;
  let database: TemporaryDatabase | undefined;
  let dataDir: { path: string; remove(): void } | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!available) return;
    mock = await startProviderMock();
    database = engine === 'postgres' ? await createTemporaryDatabase() : undefined;
    dataDir = engine === 'sqlite' ? temporaryDataDir() : undefined;
    gateway = await startFeatureGateway({
      mock,
      settings: {
        gateway_keys: [
          { id: 'detail-user', key: USER_KEY },
          { id: 'detail-admin', key: ADMIN_KEY, role: 'admin' },
        ],
        virtual_keys: {
          'openai-a': {
            provider: 'openai',
            api_key: 'sk-detail',
            options: { custom_host: `${mock.url}/v1` },
          },
          'openai-once': {
            provider: 'openai',
            api_key: 'sk-detail-once',
            options: { custom_host: `${mock.url}/v1` },
            rate_limits: [{ type: 'requests', unit: 'rpm', value: 1 }],
          },
        },
      },
      env: {
        PK_LOG_BODIES: 'true',
        // Records written every 50 ms rather than every second: `recordOf` finds them sooner.
        PK_LOG_STORE_FLUSH_MS: '50',
        ...(database
          ? {
              PK_DATABASE_URL: database.url,
              PK_MASTER_KEY: 'env:PK_TEST_MASTER',
              PK_TEST_MASTER: Buffer.alloc(32, 7).toString('base64'),
            }
          : { PK_DATA_DIR: (dataDir as { path: string }).path }),
      },
    });
    if (chromiumPath) browser = await launchChromium(chromiumPath);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await mock?.close();
    await database?.drop();
    dataDir?.remove();
  });

  /** The stored record of the request with this trace id, once written (the writer flushes every 50 ms). */
  function recordOf(traceId: string): Promise<Json> {
    return storedRecordOf(adminGetter(gateway.base, ADMIN_KEY), traceId);
  }

  const openai = (traceId: string, headers: Record<string, string> = {}) =>
    new OpenAI({
      baseURL: gateway.base,
      apiKey: 'unused',
      maxRetries: 0,
      defaultHeaders: {
        'x-portkey-api-key': USER_KEY,
        'x-portkey-virtual-key': 'openai-a',
        'x-portkey-trace-id': traceId,
        ...headers,
      },
    });

  /** The console's request view of `id`, signed in with the admin key: its text. */
  async function consoleDetail(id: string, shot: string): Promise<string> {
    const context = await (browser as Browser).newContext({ viewport: { width: 1400, height: 900 } });
    try {
      const page: Page = await context.newPage();
      page.setDefaultTimeout(12_000);
      await page.goto(`${gateway.url}/console/logs`);
      await page.getByLabel('Gateway key').fill(ADMIN_KEY);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Views' }).waitFor();
      await page.goto(`${gateway.url}/console/logs/${id}`);
      await page.getByRole('heading', { name: `Request ${id}` }).waitFor();
      await screenshot(page, `${shot}-${engine}`);
      return (await page.locator('main').textContent()) ?? '';
    } finally {
      await context.close();
    }
  }

  it.runIf(available)(
    'a request an input guardrail denied (446): its hooks’ results, the body it was refused for (redacted), its answer and message; never the redacted text',
    async () => {
      const traceId = `denied-${engine}-${Date.now()}`;
      const portkey = new Portkey({
        baseURL: gateway.base,
        apiKey: USER_KEY,
        traceID: traceId,
        config: {
          virtual_key: 'openai-a',
          input_mutators: [{ 'pk.pii': { redact: true } }],
          input_guardrails: [
            { id: 'no-apples', 'default.contains': { operator: 'none', words: ['Apple'] }, deny: true },
          ],
        },
      });
      const sentBefore = mock.received.length;
      const error = await rejectionOf(
        portkey.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: `Mail ${EMAIL} the Apple report` }],
        }),
      );
      expect(error.status).toBe(446);
      expect(mock.received.length).toBe(sentBefore);
      const record = await recordOf(traceId);
      expect(record).toMatchObject({ status: 446, error_code: 'PK_ERR_GUARDRAIL_DENIED' });
      expect(record.error_message).toEqual(expect.stringMatching(/hook|guardrail/i));
      const hooks = record.guardrails as (Json & { checks: Json[] })[];
      const denying = hooks.find((hook) => hook.id === 'no-apples');
      expect(denying).toMatchObject({ event: 'before_request', verdict: false, deny: true });
      expect(denying?.checks[0]).toMatchObject({ id: 'default.contains', verdict: false });
      expect(typeof denying?.checks[0]?.execution_time).toBe('number');
      const redacting = hooks.find((hook) => hook.type === 'mutator');
      expect(redacting).toMatchObject({ event: 'before_request', verdict: true, deny: false });
      expect(redacting?.checks[0]).toMatchObject({
        id: 'pk.pii',
        transformed: true,
        data: { detected: { email: 1 }, redacted: true },
      });
      // The body it was refused for, as the hooks left it: the address redacted.
      expect(record.request_body).toEqual(expect.stringContaining('the Apple report'));
      expect(record.request_body).toEqual(expect.stringContaining('[REDACTED_EMAIL]'));
      expect(JSON.parse(String(record.response_body))).toMatchObject({
        error: { code: 'PK_ERR_GUARDRAIL_DENIED' },
      });
      expect(JSON.stringify(record)).not.toContain(EMAIL);
      // A log export carries the same message and hook results (the portkey-ai SDK's export calls).
      const admin = new Portkey({ baseURL: gateway.base, apiKey: ADMIN_KEY });
      const created = await admin.logs.exports.create({
        filters: { trace_id: traceId },
        requestedData: ['trace_id', 'error_message', 'guardrails'],
      });
      const exportId = created.id as string;
      await admin.logs.exports.start({ exportId });
      const end = Date.now() + 10_000;
      while (
        ((await admin.logs.exports.retrieve({ exportId })) as { status?: string }).status !== 'success'
      ) {
        if (Date.now() > end) throw new Error(`export ${exportId} did not finish`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const link = (await admin.logs.exports.download({ exportId })) as { signed_url: string };
      const exported = await (await fetch(link.signed_url)).text();
      expect(JSON.parse(exported.trim())).toEqual({
        trace_id: traceId,
        error_message: record.error_message,
        guardrails: record.guardrails,
      });
      expect(exported).not.toContain(EMAIL);
      if (browser) {
        const text = await consoleDetail(String(record.id), 'log-detail-guardrail-denied');
        expect(text).toContain('Guardrails');
        expect(text).toContain('no-apples');
        expect(text).toContain('denied the request');
        expect(text).toContain('default.contains');
        expect(text).toMatch(/pk\.pii\s*passed/);
        expect(text).toContain('Redacted PII: email (1).');
        expect(text).toContain('Request body');
        expect(text).toContain(String(record.error_message));
        expect(text).not.toContain(EMAIL);
      }
    },
  );

  it.runIf(available)(
    'a request a shared hook denied names the provider and virtual key of its only target, none when routing had several to choose from',
    async () => {
      const denyApples = [
        { id: 'no-apples', 'default.contains': { operator: 'none', words: ['Apple'] }, deny: true },
      ];
      const deniedWith = async (traceId: string, config: Json): Promise<Json> => {
        const portkey = new Portkey({ baseURL: gateway.base, apiKey: USER_KEY, traceID: traceId, config });
        const sentBefore = mock.received.length;
        const error = await rejectionOf(
          portkey.chat.completions.create({
            model: 'gpt-4o-mini',
            messages: [{ role: 'user', content: 'the Apple report' }],
          }),
        );
        expect(error.status).toBe(446);
        expect(mock.received.length).toBe(sentBefore);
        return recordOf(traceId);
      };
      // One target, hooks at the top level: it is the one that would have been called.
      const sole = await deniedWith(`shared-sole-${engine}-${Date.now()}`, {
        virtual_key: 'openai-a',
        input_guardrails: denyApples,
      });
      expect(sole).toMatchObject({
        status: 446,
        error_code: 'PK_ERR_GUARDRAIL_DENIED',
        provider: 'openai',
        virtual_key: 'openai-a',
      });
      // One target inside a group whose hooks denied: the same.
      const grouped = await deniedWith(`shared-group-${engine}-${Date.now()}`, {
        strategy: { mode: 'fallback' },
        input_guardrails: denyApples,
        targets: [{ virtual_key: 'openai-a' }],
      });
      expect(grouped).toMatchObject({ provider: 'openai', virtual_key: 'openai-a' });
      // A fallback over two targets: which one would have answered is unknown, so neither is named.
      const several = await deniedWith(`shared-several-${engine}-${Date.now()}`, {
        strategy: { mode: 'fallback' },
        input_guardrails: denyApples,
        targets: [{ virtual_key: 'openai-a' }, { virtual_key: 'openai-once' }],
      });
      expect(several).toMatchObject({ status: 446, error_code: 'PK_ERR_GUARDRAIL_DENIED' });
      expect(several.provider ?? null).toBeNull();
      expect(several.virtual_key ?? null).toBeNull();
    },
  );

  it.runIf(available)(
    'the provider’s 500: its answer as the client got it and its message (openai SDK)',
    async () => {
      const traceId = `provider-500-${engine}-${Date.now()}`;
      const error = await rejectionOf(
        openai(traceId).chat.completions.create({
          model: 'fail-500',
          messages: [{ role: 'user', content: 'Hello' }],
        }),
      );
      expect(error.status).toBe(500);
      const record = await recordOf(traceId);
      expect(record).toMatchObject({ status: 500, error_message: 'scripted 500' });
      expect(JSON.parse(String(record.response_body))).toMatchObject({ error: { message: 'scripted 500' } });
      if (browser) {
        const text = await consoleDetail(String(record.id), 'log-detail-provider-500');
        expect(text).toMatch(/Error message\s*scripted 500/);
        expect(text).toContain('Response body');
      }
    },
  );

  it.runIf(available)(
    'the provider’s 500 on /v1/messages: its answer in Anthropic’s shape, as the client got it (Anthropic SDK)',
    async () => {
      const traceId = `messages-500-${engine}-${Date.now()}`;
      const anthropic = new Anthropic({
        baseURL: gateway.url,
        apiKey: 'unused',
        maxRetries: 0,
        defaultHeaders: {
          'x-portkey-api-key': USER_KEY,
          'x-portkey-virtual-key': 'openai-a',
          'x-portkey-trace-id': traceId,
        },
      });
      const error = await anthropic.messages
        .create({ model: 'fail-500', max_tokens: 16, messages: [{ role: 'user', content: 'Hello' }] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Anthropic.InternalServerError);
      const got = (error as InstanceType<typeof Anthropic.APIError>).error;
      expect(got).toMatchObject({ type: 'error', error: { type: 'api_error', message: 'scripted 500' } });
      const record = await recordOf(traceId);
      expect(record).toMatchObject({ status: 500, error_message: 'scripted 500' });
      expect(JSON.parse(String(record.response_body))).toEqual(got);
    },
  );

  it.runIf(available)(
    'a stream the provider ended with its in-band error after its 200: the error it ended with and its message',
    async () => {
      const traceId = `cut-${engine}-${Date.now()}`;
      mock.script('cut-in-band', (request) => ({
        sse: chatChunksCutByServerError(request.model),
        chunkDelayMs: 50,
      }));
      const stream = await openai(traceId).chat.completions.create({
        model: 'cut-in-band',
        messages: [{ role: 'user', content: 'Hello' }],
        stream: true,
      });
      await rejectionOf(
        (async () => {
          for await (const _ of stream);
        })(),
      );
      const record = await recordOf(traceId);
      expect(record).toMatchObject({
        status: 200,
        error_code: 'server_error',
        error_message: IN_BAND_SERVER_ERROR,
      });
      expect(JSON.parse(String(record.response_body))).toMatchObject({
        error: { message: IN_BAND_SERVER_ERROR, type: 'server_error' },
      });
    },
  );

  it.runIf(available)(
    'a /v1/messages stream the provider ended with its in-band error: the error event’s body the client got (Anthropic SDK)',
    async () => {
      const traceId = `messages-cut-${engine}-${Date.now()}`;
      mock.script('cut-in-band-messages', (request) => ({
        sse: chatChunksCutByServerError(request.model),
        chunkDelayMs: 50,
      }));
      const anthropic = new Anthropic({
        baseURL: gateway.url,
        apiKey: 'unused',
        maxRetries: 0,
        defaultHeaders: {
          'x-portkey-api-key': USER_KEY,
          'x-portkey-virtual-key': 'openai-a',
          'x-portkey-trace-id': traceId,
        },
      });
      const raw = await anthropic.messages
        .create({
          model: 'cut-in-band-messages',
          max_tokens: 16,
          messages: [{ role: 'user', content: 'Hello' }],
          stream: true,
        })
        .asResponse();
      const sent = /event: error\ndata: (.*)\n/.exec(await raw.text())?.[1];
      expect(JSON.parse(sent ?? '{}')).toMatchObject({
        type: 'error',
        error: { message: IN_BAND_SERVER_ERROR },
      });
      const record = await recordOf(traceId);
      expect(record).toMatchObject({ status: 200, error_message: IN_BAND_SERVER_ERROR });
      expect(JSON.parse(String(record.response_body))).toEqual(JSON.parse(sent ?? '{}'));
    },
  );

  it.runIf(available)(
    'a stream an output guardrail denied part-way: the after-request hook that denied it, the error it ended with and its message',
    async () => {
      const traceId = `stream-denied-${engine}-${Date.now()}`;
      const stream = await openai(traceId, {
        'x-portkey-config': JSON.stringify({
          virtual_key: 'openai-a',
          output_guardrails: [
            { id: 'no-paris', 'default.contains': { operator: 'none', words: ['Paris'] }, deny: true },
          ],
        }),
      }).chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'What is the capital of France?' }],
        stream: true,
      });
      const error = await rejectionOf(
        (async () => {
          for await (const _ of stream);
        })(),
      );
      const record = await recordOf(traceId);
      expect(record).toMatchObject({ status: 200, error_code: 'PK_ERR_GUARDRAIL_DENIED' });
      expect(error.message).toContain(String(record.error_message));
      const hooks = record.guardrails as Json[];
      expect(hooks.find((hook) => hook.id === 'no-paris')).toMatchObject({
        event: 'after_request',
        verdict: false,
        deny: true,
      });
      expect(JSON.parse(String(record.response_body))).toMatchObject({
        error: { code: 'PK_ERR_GUARDRAIL_DENIED', message: record.error_message },
        hook_results: { after_request_hooks: [{ id: 'no-paris', deny: true }] },
      });
    },
  );

  it.runIf(available)(
    'a stream whose connection broke after its first chunk: PK_ERR_STREAM_INTERRUPTED with a message that says so',
    async () => {
      const traceId = `broken-${engine}-${Date.now()}`;
      mock.script('broken-stream', (request) => ({
        sse: chatChunks(request.model, { pieces: 4 }),
        breakAfter: { payloads: 2, how: 'reset' },
      }));
      const stream = await openai(traceId).chat.completions.create({
        model: 'broken-stream',
        messages: [{ role: 'user', content: 'Hello' }],
        stream: true,
      });
      const error = await rejectionOf(
        (async () => {
          for await (const _ of stream);
        })(),
      );
      const record = await recordOf(traceId);
      expect(record).toMatchObject({ status: 200, error_code: 'PK_ERR_STREAM_INTERRUPTED' });
      expect(record.error_message).toEqual(expect.any(String));
      expect(error.message).toContain(String(record.error_message));
      expect(JSON.parse(String(record.response_body))).toMatchObject({
        error: { code: 'PK_ERR_STREAM_INTERRUPTED' },
      });
    },
  );

  it.runIf(available)(
    'pk’s own 429 (a virtual key’s rate limit): its answer and message; nothing sent',
    async () => {
      const client = (traceId: string) =>
        openai(traceId, { 'x-portkey-virtual-key': 'openai-once' }).chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'Hello' }],
        });
      await client(`first-${engine}-${Date.now()}`);
      const traceId = `limited-${engine}-${Date.now()}`;
      const error = await rejectionOf(client(traceId));
      expect(error.status).toBe(429);
      const record = await recordOf(traceId);
      expect(record).toMatchObject({ status: 429 });
      expect(record.error_message).toEqual(expect.any(String));
      expect(error.message).toContain(String(record.error_message));
      expect(JSON.parse(String(record.response_body))).toMatchObject({
        error: { message: record.error_message, code: record.error_code },
      });
    },
  );

  it.runIf(available)(
    'x-portkey-debug: false keeps the error’s answer and message out of the record, as its bodies',
    async () => {
      const traceId = `no-debug-${engine}-${Date.now()}`;
      await rejectionOf(
        openai(traceId, { 'x-portkey-debug': 'false' }).chat.completions.create({
          model: 'fail-500',
          messages: [{ role: 'user', content: 'Hello' }],
        }),
      );
      const record = await recordOf(traceId);
      expect(record).toMatchObject({
        status: 500,
        error_message: null,
        request_body: null,
        response_body: null,
      });
    },
  );
});
