import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { openStore } from '@pk/store';
import type { Browser, Page } from 'playwright-core';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumForTests, launchChromium } from './support/browser.js';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';
import { type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';
import { temporaryDataDir } from './support/store-fixtures.js';

// A guardrail's webhook headers and URL token are the operator's secrets: created through the admin
// API, they reach the webhook, and no answer, console page or byte of the SQLite file shows them; an
// edit that sends back what a read showed (the masks) keeps them.
const chromiumPath = chromiumForTests('guardrail secrets browser tests');
const run = chromiumPath !== undefined;

const HEADER_CANARY = 'canary-guardrail-header-7c41e09d5b';
const TOKEN_CANARY = 'canary-guardrail-token-3f8a62c1e4';
const PROVIDER_KEY = 'sk-guardrail-secrets-provider-0123456789';

interface WebhookCall {
  readonly url: string;
  readonly authorization: string | undefined;
}

let mock: ProviderMock;
let webhook: Server;
let webhookUrl: string;
const webhookCalls: WebhookCall[] = [];
let gateway: FeatureGateway;
let dataDir: { path: string; remove(): void };
let browser: Browser;
let page: Page;
let adminKey: string;

beforeAll(async () => {
  if (!run) return;
  mock = await startProviderMock();
  webhook = createServer((request, response) => {
    webhookCalls.push({ url: request.url ?? '', authorization: request.headers.authorization });
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"verdict":true}');
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/check`;
  dataDir = temporaryDataDir();
  const store = await openStore({ dataDir: dataDir.path, serve: false, onWarning: () => undefined });
  adminKey = (await store.gatewayKeys.create({ id: 'gs-admin', name: 'admin', role: 'admin' }, 'cli')).secret;
  await store.close();
  gateway = await startFeatureGateway({ mock, settings: {}, env: { PK_DATA_DIR: dataDir.path } });
  browser = await launchChromium(chromiumPath as string);
  page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(12_000);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  await mock?.close();
  await new Promise((resolve) => (webhook ? webhook.close(resolve) : resolve(undefined)));
  dataDir?.remove();
  if (run) {
    expect(gateway.process.output()).not.toContain(HEADER_CANARY);
    expect(gateway.process.output()).not.toContain(TOKEN_CANARY);
  }
});

async function admin(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  const response = await fetch(`${gateway.base}${path}`, {
    method,
    headers: { 'x-portkey-api-key': adminKey, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, text: await response.text() };
}

/** Every byte of every file under the data directory (the SQLite file, its WAL, the logs). */
function dataDirBytes(directory: string): string {
  return readdirSync(directory, { withFileTypes: true })
    .map((entry) =>
      entry.isDirectory()
        ? dataDirBytes(join(directory, entry.name))
        : readFileSync(join(directory, entry.name)).toString('latin1'),
    )
    .join('\n');
}

function expectNoCanary(text: string): void {
  expect(text).not.toContain(HEADER_CANARY);
  expect(text).not.toContain(TOKEN_CANARY);
}

describe.runIf(run)('a guardrail’s webhook secrets', () => {
  it('reach the webhook but no admin answer, console page or byte on disk, and survive edits that send the masks back', async () => {
    const created = await admin('POST', '/guardrails', {
      name: 'Secret hook',
      checks: [
        {
          id: 'default.webhook',
          parameters: {
            webhookURL: `${webhookUrl}?token=${TOKEN_CANARY}`,
            headers: { Authorization: `Bearer ${HEADER_CANARY}` },
          },
        },
      ],
      actions: { deny: true },
    });
    expect(created.status).toBe(200);
    const { slug } = JSON.parse(created.text) as { slug: string };

    const list = await admin('GET', '/guardrails');
    const one = await admin('GET', `/guardrails/${slug}`);
    expect([list.status, one.status]).toEqual([200, 200]);
    expectNoCanary(list.text);
    expectNoCanary(one.text);
    const read = JSON.parse(one.text) as { definition: Record<string, unknown> };
    expect(read.definition).toMatchObject({
      checks: [
        {
          parameters: {
            webhookURL: `${webhookUrl}?token=…`,
            headers: { Authorization: 'Bea…9d5b' },
          },
        },
      ],
    });

    const sdk = new Portkey({ apiKey: adminKey, baseURL: gateway.base });
    const config = await sdk.configs.create({
      name: 'hooked',
      config: {
        provider: 'openai',
        api_key: PROVIDER_KEY,
        custom_host: `${mock.url}/v1`,
        input_guardrails: [slug],
      },
    });
    const ask = () =>
      new Portkey({
        apiKey: adminKey,
        baseURL: gateway.base,
        config: config.slug as string,
      }).chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'What is the capital of France?' }],
      });
    const expectWebhookGotSecrets = async () => {
      const before = webhookCalls.length;
      expect((await ask()).choices?.[0]?.message?.content).toBeTruthy();
      expect(webhookCalls.length).toBe(before + 1);
      expect(webhookCalls.at(-1)).toEqual({
        url: `/check?token=${TOKEN_CANARY}`,
        authorization: `Bearer ${HEADER_CANARY}`,
      });
    };
    await expectWebhookGotSecrets();

    // Another field changed through the API with the whole definition a read showed: secrets kept.
    const edited = await admin('PUT', `/guardrails/${slug}`, {
      definition: { ...read.definition, deny: false },
    });
    expect(edited.status).toBe(200);
    expect(JSON.parse((await admin('GET', `/guardrails/${slug}`)).text)).toMatchObject({
      actions: { deny: false },
    });
    await expectWebhookGotSecrets();
    // Portkey's shape: the checks as read, beside a new name.
    const renamed = await admin('PUT', `/guardrails/${slug}`, {
      name: 'Secret hook 2',
      checks: (read.definition as { checks: unknown }).checks,
    });
    expect(renamed.status).toBe(200);
    await expectWebhookGotSecrets();

    // The console shows the masks, and saving its edit keeps the secrets too.
    await page.goto(`${gateway.url}/console/guardrails`);
    await page.getByLabel('Gateway key').fill(adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    await page.getByRole('link', { name: 'Guardrails' }).click();
    const row = page.getByRole('row').filter({ hasText: slug });
    await row.getByRole('button', { name: `Open ${slug}` }).click();
    const edit = page.getByRole('form', { name: `Edit ${slug}` });
    const source = edit.getByLabel('Definition (JSON)');
    const shown = await source.inputValue();
    expect(shown).toContain('token=…');
    expectNoCanary(shown);
    expectNoCanary(await page.content());
    await source.fill(JSON.stringify({ ...JSON.parse(shown), deny: true }, null, 2));
    await edit.getByRole('button', { name: 'Save guardrail' }).click();
    await row.getByRole('cell', { name: 'deny (446)', exact: true }).waitFor();
    await expectWebhookGotSecrets();

    // Nothing on disk holds them: the row keeps masks, the vault the values.
    expectNoCanary(dataDirBytes(dataDir.path));
  });
});
