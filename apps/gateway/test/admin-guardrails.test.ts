import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { createHeaders, Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../bench/mock-openai-upstream.mjs';
import { type AdminGateway, sdkError, startAdminGateway } from './support/admin-harness.js';

// Guardrails defined once in the store (pk's /v1/guardrails, shaped like Portkey's guardrail API),
// validated like the settings file's, named by saved configs, and followed by the request path.
let admin: AdminGateway;
let upstream: MockOpenAI;
let webhook: Server;
let webhookUrl: string;
const webhookCalls: { signature: string | undefined; timestamp: string | undefined; body: string }[] = [];
const WEBHOOK_SECRET = 'whsec-admin-guardrail-0123456789';

beforeAll(async () => {
  upstream = await startMockOpenAI({ record: true });
  webhook = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      webhookCalls.push({
        signature: request.headers['x-pk-signature'] as string | undefined,
        timestamp: request.headers['x-pk-timestamp'] as string | undefined,
        body,
      });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"verdict":true}');
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/check`;
  admin = await startAdminGateway(
    {
      virtual_keys: {
        'mock-openai': {
          provider: 'openai',
          api_key: 'sk-mock',
          options: { custom_host: `${upstream.url}/v1` },
        },
      },
      guardrails: { 'file-shield': { checks: [{ id: 'pk.pii', parameters: {} }] } },
      trusted_custom_hosts: ['127.0.0.1'],
    },
    { PK_TEST_WEBHOOK_SECRET: WEBHOOK_SECRET },
  );
});

afterAll(async () => {
  await admin?.close();
  await upstream?.close();
  await new Promise((resolve) => webhook?.close(resolve));
  expect(admin.gateway.logs()).not.toContain(WEBHOOK_SECRET);
});

/** A chat call through the official SDK with a saved config; status and the upstream's last request. */
async function chatWith(config: string, content: string): Promise<number> {
  const client = new OpenAI({
    apiKey: 'unused',
    baseURL: admin.baseURL,
    defaultHeaders: createHeaders({ apiKey: admin.userKey, config }),
    maxRetries: 0,
  });
  try {
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });
    return 200;
  } catch (error) {
    return (error as { status: number }).status;
  }
}

describe('guardrails in the store', () => {
  it('creates one in Portkey’s shape; a config names it; changing it changes the next request', async () => {
    const portkey = admin.portkey() as Portkey & {
      guardrails: { create(body: unknown): Promise<Record<string, unknown>> };
    };
    const created = await portkey.guardrails.create({
      name: 'No Apple',
      checks: [{ id: 'default.contains', parameters: { operator: 'none', words: ['Apple'] } }],
      actions: { deny: true, async: false },
    });
    expect(created).toMatchObject({
      object: 'guardrail',
      slug: expect.stringMatching(/^pg-no-app-[0-9a-f]{6}$/),
    });
    const slug = created.slug as string;
    const config = await admin.call('POST', '/configs', {
      body: {
        name: 'guarded',
        slug: 'pc-guarded',
        config: { virtual_key: 'mock-openai', input_guardrails: [slug] },
      },
    });
    expect(config.status).toBe(200);
    const calls = upstream.received.length;
    expect(await chatWith('pc-guarded', 'Tell me about Apple')).toBe(446);
    expect(upstream.received.length).toBe(calls);
    expect(await chatWith('pc-guarded', 'Tell me about pears')).toBe(200);

    const updated = await admin.call('PUT', `/guardrails/${slug}`, {
      body: { checks: [{ id: 'default.contains', parameters: { operator: 'none', words: ['pears'] } }] },
    });
    expect(updated).toMatchObject({ status: 200, body: { slug, version_id: expect.any(String) } });
    expect(updated.body.version_id).not.toBe(created.version_id);
    expect(await chatWith('pc-guarded', 'Tell me about Apple')).toBe(200);
    expect(await chatWith('pc-guarded', 'Tell me about pears')).toBe(446);

    const retrieved = await admin.call('GET', `/guardrails/${slug}`);
    expect(retrieved.body).toMatchObject({
      name: 'No Apple',
      checks: [{ id: 'default.contains', parameters: { words: ['pears'] } }],
      actions: { deny: true, async: false },
      managed_by: null,
      object: 'guardrail',
    });
    const audit = await admin.store.audit.list({ entity: 'guardrail' });
    expect(audit.map((entry) => [entry.action, entry.actor])).toEqual([
      ['update', `key:${admin.adminKeyId}`],
      ['create', `key:${admin.adminKeyId}`],
    ]);

    // A guardrail a config names cannot go; once the config is gone, it can.
    const refused = await admin.call('DELETE', `/guardrails/${slug}`);
    expect(refused).toMatchObject({
      status: 409,
      body: { error: { code: 'PK_ERR_CONFLICT' }, message: expect.stringContaining('"pc-guarded"') },
    });
    await admin.call('DELETE', '/configs/pc-guarded');
    expect((await admin.call('DELETE', `/guardrails/${slug}`)).body).toEqual({});
    // An inline config naming it is now refused (the validation cache followed the change).
    const inline = JSON.stringify({ virtual_key: 'mock-openai', input_guardrails: [slug] });
    expect(await chatWith(inline, 'hello')).toBe(400);
  });

  it('validates definitions like the settings file: a bad regex or a literal webhook secret is a 400 with its path', async () => {
    const badRegex = await admin.call('POST', '/guardrails', {
      body: { name: 'bad', checks: [{ id: 'default.regexMatch', parameters: { rule: '(unclosed' } }] },
    });
    expect(badRegex).toMatchObject({
      status: 400,
      body: { error: { code: 'PK_ERR_INVALID_REQUEST', param: 'definition.checks[0].parameters.rule' } },
    });
    expect(badRegex.body.message).toContain(
      'definition.checks[0].parameters.rule: expected a regular expression',
    );
    // Without checks: refused for its checks (not read as a reference to another guardrail).
    const noChecks = await admin.call('POST', '/guardrails', {
      body: { name: 'nochecks', actions: { deny: true } },
    });
    expect(noChecks).toMatchObject({ status: 400, body: { error: { param: 'definition.checks' } } });
    expect(noChecks.body.message).toContain('definition.checks: expected a list of checks');
    // Named by its name: the slug it would have been given does not exist.
    expect(badRegex.body.message).toMatch(/^invalid guardrail named "bad": /);
    const literalSecret = await admin.call('POST', '/guardrails', {
      body: {
        name: 'hook',
        checks: [
          { id: 'default.webhook', parameters: { webhookURL: webhookUrl, secret: 'literal-secret-value' } },
        ],
      },
    });
    expect(literalSecret.body.message).toContain(
      'definition.checks[0].parameters.secret: expected an env:NAME or file:PATH reference',
    );
    expect(literalSecret.body.message).not.toContain('literal-secret-value');
    const unsetVariable = await admin.call('POST', '/guardrails', {
      body: {
        name: 'hook',
        checks: [
          {
            id: 'default.webhook',
            parameters: { webhookURL: webhookUrl, secret: 'env:PK_NOT_SET_ANYWHERE' },
          },
        ],
      },
    });
    expect(unsetVariable.body.message).toContain('cannot resolve environment variable PK_NOT_SET_ANYWHERE');
    const fileId = await admin.call('POST', '/guardrails', {
      body: { name: 'x', slug: 'file-shield', checks: [{ id: 'pk.pii', parameters: {} }] },
    });
    expect(fileId).toMatchObject({ status: 409, body: { message: expect.stringContaining('pk.yaml') } });
    const fileChange = await admin.call('PUT', '/guardrails/file-shield', { body: { name: 'y' } });
    expect(fileChange).toMatchObject({ status: 409, body: { error: { code: 'PK_ERR_READ_ONLY' } } });
    expect((await admin.call('GET', '/guardrails')).body).toMatchObject({
      total: 1,
      data: [{ slug: 'file-shield', managed_by: 'pk.yaml' }],
    });
  });

  it('refuses a guardrail with an empty list of checks (it could never do anything), created or changed, naming the field', async () => {
    const portkey = admin.portkey() as Portkey & {
      guardrails: { create(body: unknown): Promise<Record<string, unknown>> };
    };
    const error = await sdkError(
      portkey.guardrails.create({ name: 'Empty', checks: [], actions: { deny: true } }),
    );
    expect(error).toMatchObject({ status: 400 });
    const created = await admin.call('POST', '/guardrails', {
      body: { name: 'empty', slug: 'empty-hook', definition: { checks: [], deny: true } },
    });
    expect(created).toMatchObject({
      status: 400,
      body: { error: { code: 'PK_ERR_INVALID_REQUEST', param: 'definition.checks' } },
    });
    expect(created.body.message).toBe(
      'invalid guardrail "empty-hook": definition.checks: needs at least one check: a guardrail without checks never does anything',
    );
    expect((await admin.call('GET', '/guardrails/empty-hook')).status).toBe(404);

    const apples = [{ id: 'default.contains', parameters: { operator: 'none', words: ['Apple'] } }];
    expect(
      (await admin.call('POST', '/guardrails', { body: { name: 'one', slug: 'one-check', checks: apples } }))
        .status,
    ).toBe(200);
    for (const body of [{ checks: [] }, { definition: { checks: [] } }]) {
      const emptied = await admin.call('PUT', '/guardrails/one-check', { body });
      expect(emptied).toMatchObject({ status: 400, body: { error: { param: 'definition.checks' } } });
    }
    expect((await admin.call('GET', '/guardrails/one-check')).body).toMatchObject({ checks: apples });
    expect((await admin.call('DELETE', '/guardrails/one-check')).status).toBe(200);
  });

  it('a whole definition (pk’s) replaces the stored hook, so a field left out is gone; it is not mixed with the separate fields', async () => {
    const plums = [{ id: 'default.contains', parameters: { operator: 'none', words: ['plums'] } }];
    const created = await admin.call('POST', '/guardrails', {
      body: {
        name: 'whole',
        slug: 'whole-hook',
        definition: { checks: plums, deny: true, on_fail: { feedback: { value: -1, weight: 1 } } },
      },
    });
    expect(created.status).toBe(200);
    expect((await admin.call('GET', '/guardrails/whole-hook')).body).toMatchObject({
      definition: { checks: plums, deny: true, on_fail: { feedback: { value: -1, weight: 1 } } },
      actions: { deny: true },
    });
    await admin.call('POST', '/configs', {
      body: {
        name: 'whole',
        slug: 'pc-whole',
        config: { virtual_key: 'mock-openai', input_guardrails: ['whole-hook'] },
      },
    });
    const before = upstream.received.length;
    expect(await chatWith('pc-whole', 'plums, please')).toBe(446);
    expect(upstream.received.length).toBe(before);

    const replaced = await admin.call('PUT', '/guardrails/whole-hook', {
      body: { definition: { checks: plums } },
    });
    expect(replaced.status).toBe(200);
    const stored = (await admin.call('GET', '/guardrails/whole-hook')).body;
    expect(stored.definition).toEqual({ checks: plums });
    expect(stored.actions).toMatchObject({ deny: false, on_fail: null });
    // No longer denying: the request goes on to the provider (246 when a check fails).
    expect(await chatWith('pc-whole', 'plums, please')).toBe(200);
    expect(upstream.received.length).toBe(before + 1);

    const mixed = await admin.call('PUT', '/guardrails/whole-hook', {
      body: { definition: { checks: plums }, onFail: { feedback: { value: 1 } } },
    });
    expect(mixed).toMatchObject({
      status: 400,
      body: {
        error: { code: 'PK_ERR_INVALID_REQUEST', param: 'onFail' },
        message: expect.stringContaining('definition replaces the whole hook: give onFail inside it'),
      },
    });
    const notAnObject = await admin.call('PUT', '/guardrails/whole-hook', { body: { definition: 'deny' } });
    expect(notAnObject).toMatchObject({ status: 400, body: { error: { param: 'definition' } } });
    const badCheck = await admin.call('PUT', '/guardrails/whole-hook', {
      body: { definition: { checks: [{ id: 'default.noSuchCheck', parameters: {} }] } },
    });
    expect(badCheck.status).toBe(400);
    expect(badCheck.body.message).toMatch(/^invalid guardrail "whole-hook": definition\.checks\[0\]/);
    expect((await admin.call('GET', '/guardrails/whole-hook')).body.definition).toEqual({ checks: plums });
    await admin.call('DELETE', '/configs/pc-whole');
    expect((await admin.call('DELETE', '/guardrails/whole-hook')).status).toBe(200);
  });

  it('calls a webhook signed with a secret from the gateway’s environment', async () => {
    const created = await admin.call('POST', '/guardrails', {
      body: {
        name: 'policy',
        slug: 'policy-hook',
        type: 'guardrail',
        deny: true,
        checks: [
          {
            id: 'default.webhook',
            parameters: { webhookURL: webhookUrl, secret: 'env:PK_TEST_WEBHOOK_SECRET' },
          },
        ],
      },
    });
    expect(created.status).toBe(200);
    await admin.call('POST', '/configs', {
      body: {
        name: 'hooked',
        slug: 'pc-hooked',
        config: { virtual_key: 'mock-openai', input_guardrails: ['policy-hook'] },
      },
    });
    expect(await chatWith('pc-hooked', 'hello')).toBe(200);
    const call = webhookCalls.at(-1);
    const expected = createHmac('sha256', WEBHOOK_SECRET)
      .update(`${call?.timestamp}.${call?.body}`)
      .digest('hex');
    expect(call?.signature).toBe(`sha256=${expected}`);
    expect(JSON.stringify((await admin.call('GET', '/guardrails/policy-hook')).body)).toContain(
      'env:PK_TEST_WEBHOOK_SECRET',
    );
  });

  it('refuses guardrails to a user key', async () => {
    const refused = await sdkError(
      (
        new Portkey({ apiKey: admin.userKey, baseURL: admin.baseURL }) as Portkey & {
          guardrails: { list(body?: unknown): Promise<unknown> };
        }
      ).guardrails.list(),
    );
    expect(refused.status).toBe(403);
  });
});
