import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type AddressInfo, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { MAX_LOG_METADATA_FILTERS, openStore } from '@pk/store';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createHeaders, Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import {
  chromiumForTests,
  launchChromium,
  screenshot,
  seriousViolations,
  unreachableByKeyboard,
} from './support/browser.js';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';
import { chatChunksCutByServerError, chatCompletion, openAIError } from './support/provider-answers.js';
import { type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';
import { temporaryDataDir } from './support/store-fixtures.js';

// The console in a real browser (Debian's Chromium driven by playwright-core) against the BUILT
// gateway, with the official portkey-ai SDK sending requests to the recording provider mock. One
// browser and one gateway for the file; each flow saves a screenshot (test-artifacts/console).
const chromiumPath = chromiumForTests('console browser tests');
const run = chromiumPath !== undefined;

const PROVIDER_KEY = 'sk-console-provider-key-0123456789';
const VK_SECRET = 'sk-console-browser-vk-secret-0123456789';
const ROTATED_SECRET = 'sk-console-rotated-vk-secret-9876543210';
const INTEGRATION_SECRET = 'sk-console-integration-secret-0123456789';
const INTEGRATION_ROTATED = 'sk-console-integration-rotated-5678';
const XSS = '<img src=x onerror=alert(1)>';
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];

let mock: ProviderMock;
let gateway: FeatureGateway;
let dataDir: { path: string; remove(): void };
let browser: Browser;
let context: BrowserContext;
let page: Page;
let adminKey: string;
let userKeyA: string;
let userKeyB: string;
const dialogs: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!run) return;
  mock = await startProviderMock();
  dataDir = temporaryDataDir();
  // Keys as `pk init` and the CLI make them: in the store, before the gateway starts.
  const store = await openStore({ dataDir: dataDir.path, serve: false, onWarning: () => undefined });
  adminKey = (
    await store.gatewayKeys.create({ id: 'console-admin', name: 'console admin', role: 'admin' }, 'cli')
  ).secret;
  userKeyA = (await store.gatewayKeys.create({ id: 'team-a-key', name: 'team a', tenant: 'team-a' }, 'cli'))
    .secret;
  userKeyB = (await store.gatewayKeys.create({ id: 'team-b-key', name: 'team b', tenant: 'team-b' }, 'cli'))
    .secret;
  await store.close();
  gateway = await startFeatureGateway({ mock, settings: {}, env: { PK_DATA_DIR: dataDir.path } });
  browser = await launchChromium(chromiumPath as string);
  context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  page = await context.newPage();
  // Below the test timeout (20 s): a wait that never ends fails naming what it waited for, rather
  // than as the test's timeout.
  page.setDefaultTimeout(12_000);
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    // The console asks before revoking; an alert would be the XSS payload running.
    void (dialog.type() === 'confirm' ? dialog.accept() : dialog.dismiss());
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  // Uncaught errors and CSP violations fail the suite (an answer's 4xx status is the view's to show).
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      pageErrors.push(message.text());
    }
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  await mock?.close();
  dataDir?.remove();
  if (run) {
    // No key or provider secret in any log line of the gateway.
    for (const secret of [
      adminKey,
      userKeyA,
      userKeyB,
      PROVIDER_KEY,
      VK_SECRET,
      ROTATED_SECRET,
      INTEGRATION_SECRET,
      INTEGRATION_ROTATED,
    ])
      expect(gateway.process.output()).not.toContain(secret);
  }
});

const consoleUrl = (path = '') => `${gateway.url}/console${path}`;

async function signIn(key: string): Promise<void> {
  await context.clearCookies();
  await page.goto(consoleUrl('/logs'));
  await page.getByLabel('Gateway key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Views' }).waitFor();
}

function sdk(options: Record<string, unknown> = {}): Portkey {
  return new Portkey({ apiKey: adminKey, baseURL: gateway.base, ...options });
}

/** A config that sends each request straight to the mock with the provider key. */
const direct = (model = 'gpt-4o-mini') => ({
  provider: 'openai',
  api_key: PROVIDER_KEY,
  custom_host: `${mock.url}/v1`,
  override_params: { model },
});

/** Waits until the log store answers `query` (records are queryable within 2 s) and returns the records. */
async function logsFor(query: string, key: string, count = 1): Promise<Record<string, unknown>[]> {
  const until = Date.now() + 5000;
  for (;;) {
    const response = await fetch(`${gateway.base}/logs?${query}`, { headers: { 'x-portkey-api-key': key } });
    const body = (await response.json()) as { data: Record<string, unknown>[] };
    if (body.data.length >= count || Date.now() > until) return body.data;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The logs view's table of requests (the view also has the table of exports). */
const logsTable = () => page.getByRole('table', { name: 'Requests, newest first' });
/** Data rows of the logs table (the spacer rows of the virtualised table left out). */
const logRows = () => logsTable().locator('tbody tr:not(.spacer)');

describe.runIf(run)('the console in Chromium', () => {
  it('signs in with an admin key; the cookie is HttpOnly and SameSite=Strict', async () => {
    await page.goto(consoleUrl());
    await expectNoSeriousViolations('sign-in');
    await page.getByLabel('Gateway key').fill('pk-not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('not an active gateway key').waitFor();
    await signIn(adminKey);
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({
      name: 'pk_console',
      httpOnly: true,
      sameSite: 'Strict',
      path: '/console',
    });
    expect(cookie?.value).not.toBe(adminKey);
    // The page cannot read it.
    expect(await page.evaluate('document.cookie')).toBe('');
    await page.getByText('console admin (admin, ').waitFor();
    await screenshot(page, '01-signed-in');
  });

  it('says a table is empty rather than showing bare headers: none made yet, or no request matching the filters', async () => {
    for (const [view, table, says] of [
      ['Virtual keys', 'Virtual keys', 'None yet: Create virtual key above makes one.'],
      ['Integrations', 'Integrations', 'None yet: Create integration above makes one.'],
      ['Configs', 'Saved configs', 'None yet: New config makes one.'],
    ] as const) {
      await page.getByRole('link', { name: view, exact: true }).click();
      await page.getByRole('table', { name: table }).getByRole('cell', { name: says }).waitFor();
    }
    await page.goto(consoleUrl('/logs?trace_id=no-such-trace'));
    await logsTable().getByRole('cell', { name: 'No request matches these filters.' }).waitFor();
    await screenshot(page, '01-empty-states');
  });

  it('creates a virtual key and a config in the UI, validates as you type, and the SDK uses them', async () => {
    await page.getByRole('link', { name: 'Virtual keys' }).click();
    await page.getByLabel('Name').fill('browser vk');
    await page.getByLabel('Provider', { exact: true }).fill('openai');
    await page.getByLabel('Provider API key').fill(VK_SECRET);
    await page.getByLabel('Custom host (optional)').fill(`${mock.url}/v1`);
    // An expiry, in local time like every time the console shows.
    await page.getByLabel('Expires (optional, local time)').fill('2099-01-02T03:04');
    await page.getByRole('button', { name: 'Create virtual key' }).click();
    const vkSlug = (await page.getByTestId('created-slug').textContent()) ?? '';
    expect(vkSlug).toMatch(/^browser-vk-[0-9a-f]{6}$/);
    const storedKey = (await sdk().virtualKeys.retrieve({ slug: vkSlug })) as { expires_at?: string };
    const browserTime = await page.evaluate(() => new Date('2099-01-02T03:04').toISOString());
    expect(Date.parse(storedKey.expires_at ?? '')).toBe(Date.parse(browserTime));
    const vkRow = page
      .getByRole('table', { name: 'Virtual keys' })
      .getByRole('row')
      .filter({ hasText: vkSlug });
    const shownExpiry = await page.evaluate((iso) => new Date(iso).toLocaleString(), browserTime);
    await vkRow.getByRole('cell', { name: shownExpiry, exact: true }).waitFor();
    // The provider key is never shown back, only masked.
    await page.getByRole('cell', { name: vkSlug, exact: true }).waitFor();
    expect(await page.content()).not.toContain(VK_SECRET);
    await expectNoSeriousViolations('virtual-keys');
    await screenshot(page, '02-virtual-key-created');

    await page.getByRole('link', { name: 'Configs' }).click();
    await page.getByRole('button', { name: 'New config' }).click();
    await page.getByLabel('Name').fill('browser config');
    const editor = page.getByLabel('Config (JSON)');
    await editor.fill('{"strategy": ');
    await page.getByTestId('config-issue').filter({ hasText: 'not JSON' }).waitFor();
    // The JSON Schema, in the page, as you type.
    await editor.fill(JSON.stringify({ strategy: { mode: 'single' }, targets: [{ provider: 42 }] }));
    await page
      .getByTestId('config-issue')
      .filter({ hasText: 'config.targets[0].provider' })
      .first()
      .waitFor();
    // What the schema cannot say, the gateway's parseConfig says, at its path.
    await editor.fill(
      JSON.stringify({
        strategy: {
          mode: 'conditional',
          conditions: [{ query: { 'metadata.x': { $eq: 'a' } }, then: 'nope' }],
        },
        targets: [{ name: 't1', provider: 'openai' }],
      }),
    );
    await page
      .getByTestId('config-issue')
      .filter({ hasText: 'config.strategy.conditions[0].then' })
      .filter({ hasText: 'expected the name of a target of this group' })
      .waitFor();
    await screenshot(page, '03-config-editor-problem');
    expect(await page.getByRole('button', { name: 'Create config' }).isDisabled()).toBe(true);
    await editor.fill(
      JSON.stringify({ virtual_key: vkSlug, override_params: { model: 'gpt-4o-mini' } }, null, 2),
    );
    await page.getByTestId('config-valid').filter({ hasText: 'Valid config.' }).waitFor();
    await page.getByRole('button', { name: 'Create config' }).click();
    const configSlug = (await page.getByTestId('saved-slug').textContent()) ?? '';
    expect(configSlug).toMatch(/^pc-browse-[0-9a-f]{6}$/);

    const before = mock.received.length;
    const answer = await sdk({ config: configSlug }).chat.completions.create({ model: 'ignored', messages });
    expect(answer.choices?.[0]?.message?.content).toBeTruthy();
    const received = mock.received.slice(before);
    expect(received).toHaveLength(1);
    expect(received[0]?.headers.authorization).toBe(`Bearer ${VK_SECRET}`);
    expect(received[0]?.model).toBe('gpt-4o-mini');

    // A virtual key that does not exist is said before saving, at its path, and cannot be saved.
    await editor.fill(
      JSON.stringify({
        strategy: { mode: 'fallback' },
        targets: [{ virtual_key: vkSlug }, { virtual_key: 'nope-nope' }],
      }),
    );
    await page
      .getByTestId('config-issue')
      .filter({ hasText: 'config.targets[1].virtual_key' })
      .filter({ hasText: 'no virtual key has the id "nope-nope"' })
      .waitFor();
    expect(await page.getByTestId('config-valid').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Save a new version' }).isDisabled()).toBe(true);

    // A second version, its diff with the first, and a rollback.
    await editor.fill(JSON.stringify({ virtual_key: vkSlug, override_params: { model: 'gpt-4o' } }, null, 2));
    await page.getByTestId('config-valid').filter({ hasText: 'Valid config.' }).waitFor();
    await page.getByRole('button', { name: 'Save a new version' }).click();
    await page.getByRole('button', { name: 'Diff v1 with current' }).click();
    await page.locator('.diff .added').filter({ hasText: '"gpt-4o"' }).waitFor();
    await expectNoSeriousViolations('configs');
    await screenshot(page, '04-config-versions-diff');
    const listed = page
      .getByRole('table', { name: 'Saved configs' })
      .getByRole('row')
      .filter({ hasText: configSlug });
    await listed.getByRole('cell', { name: '2', exact: true }).waitFor();
    // Its last change in local time, as the logs show times, not raw ISO UTC.
    const updatedCell = (await listed.getByRole('cell').nth(3).textContent()) ?? '';
    expect(updatedCell).not.toMatch(/\d{4}-\d\d-\d\dT/);
    const configObject = (await sdk().configs.retrieve({ slug: configSlug })) as { last_updated_at: string };
    expect(updatedCell).toBe(
      await page.evaluate((iso) => new Date(iso).toLocaleString(), configObject.last_updated_at),
    );
    const rollBack = page.getByRole('button', { name: 'Roll back to v1' });
    await rollBack.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('cell', { name: 'v3 (current)' }).waitFor();
    // Said by the button, which keeps the focus (the editor shows v3, and took no focus from it).
    await page
      .getByRole('status')
      .filter({ hasText: 'Rolled back to v1: saved as v3, now the current version.' })
      .waitFor();
    expect(await rollBack.evaluate((button) => button === button.ownerDocument.activeElement)).toBe(true);
    // The list follows: the rollback made version 3.
    await listed.getByRole('cell', { name: '3', exact: true }).waitFor();
    const afterRollback = mock.received.length;
    await sdk({ config: configSlug }).chat.completions.create({ model: 'ignored', messages });
    expect(mock.received[afterRollback]?.model).toBe('gpt-4o-mini');
  });

  it('names a blank config name in plain words, saves nothing (no new version) when nothing changed, and renames without a version', async () => {
    await page.getByRole('link', { name: 'Configs' }).click();
    await page.getByRole('button', { name: 'New config' }).click();
    const create = page.getByRole('form', { name: 'Create a config' });
    // Spaces pass the field's `required`: the gateway refuses them, in words naming the field.
    await create.getByLabel('Name').fill('   ');
    await create.getByTestId('config-valid').filter({ hasText: 'Valid config.' }).waitFor();
    await create.getByRole('button', { name: 'Create config' }).click();
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toBe('invalid config: name: must not be blank');

    await create.getByLabel('Name').fill('no-op saves');
    // The notice may still name the config an earlier test saved: wait for this one's.
    const earlier = await page
      .getByTestId('saved-slug')
      .textContent({ timeout: 100 })
      .catch(() => null);
    await create.getByRole('button', { name: 'Create config' }).click();
    await expect.poll(() => page.getByTestId('saved-slug').textContent()).not.toBe(earlier);
    const slug = (await page.getByTestId('saved-slug').textContent()) ?? '';
    expect(slug).toMatch(/^pc-no-op/);
    const edit = page.getByRole('form', { name: `Edit ${slug}` });
    const versions = page.getByRole('table', { name: `Versions of ${slug}` });
    await versions.getByRole('cell', { name: 'v1 (current)' }).waitFor();
    // Who saved it: the admin key by its name, its id on hover (the audit log's actor is key:<id>).
    const by = versions.getByRole('cell', { name: 'console admin', exact: true });
    expect(await by.getAttribute('title')).toBe('gateway key console-admin');
    // Saved as it is, only respaced: nothing is sent and the page says so.
    const source = edit.getByLabel('Config (JSON)');
    await source.fill(JSON.stringify(JSON.parse(await source.inputValue())));
    await edit.getByTestId('config-valid').filter({ hasText: 'Valid config.' }).waitFor();
    await edit.getByRole('button', { name: 'Save a new version' }).click();
    await edit
      .getByTestId('config-unchanged')
      .filter({ hasText: 'Nothing to save: the config and its name are as saved in v1.' })
      .waitFor();
    await screenshot(page, '04-config-nothing-to-save');
    const listed = async () =>
      (await sdk().configs.retrieve({ slug })) as { version?: number; name?: string };
    expect(await listed()).toMatchObject({ version: 1, name: 'no-op saves' });
    // A new name alone is a rename, no version.
    await edit.getByLabel('Name').fill('renamed, same config');
    await expect.poll(() => edit.getByTestId('config-unchanged').textContent()).toBe('');
    await edit.getByRole('button', { name: 'Save a new version' }).click();
    await page
      .getByRole('table', { name: 'Saved configs' })
      .getByRole('row')
      .filter({ hasText: slug })
      .getByRole('cell', { name: 'renamed, same config' })
      .waitFor();
    expect(await listed()).toMatchObject({ version: 1, name: 'renamed, same config' });
    expect(await versions.getByRole('row').count()).toBe(2);
    await page
      .getByRole('row')
      .filter({ hasText: slug })
      .getByRole('button', { name: /^Delete/ })
      .click();
    await page.getByRole('row').filter({ hasText: slug }).waitFor({ state: 'detached' });
  });

  it('at 1280×800 under a long list of configs, New config and Open take the keyboard to the editor, and a refused save is said there with the form kept', async () => {
    const fillers = await Promise.all(
      Array.from({ length: 14 }, (_, index) =>
        sdk().configs.create({ name: `filler ${index}`, config: { provider: 'openai' } }),
      ),
    );
    await page.setViewportSize({ width: 1280, height: 800 });
    try {
      await page.goto(consoleUrl('/configs'));
      const list = page.getByRole('table', { name: 'Saved configs' });
      await list
        .getByRole('row')
        .filter({ hasText: fillers[13]?.slug ?? '' })
        .waitFor();
      const inView = async (locator: ReturnType<Page['locator']>) => {
        const box = await locator.boundingBox();
        return box !== null && box.y >= 0 && box.y + box.height <= 800;
      };
      const focusedId = () => page.evaluate('document.activeElement?.id ?? ""');
      // Keyboard alone: the button, Enter; the editor opens below the list, out of view.
      await page.getByRole('button', { name: 'New config' }).focus();
      await page.keyboard.press('Enter');
      const create = page.getByRole('form', { name: 'Create a config' });
      await create.waitFor();
      expect(await focusedId()).toBe('config-name');
      expect(await inView(create.getByLabel('Name'))).toBe(true);
      // Spaces pass the field's `required`; Enter in the field submits, and the gateway refuses.
      const typed = JSON.stringify({ retry: { attempts: 2 }, provider: 'openai' }, null, 2);
      await create.getByLabel('Config (JSON)').fill(typed);
      await create.getByLabel('Name').fill('   ');
      await create.getByTestId('config-valid').filter({ hasText: 'Valid config.' }).waitFor();
      await create.getByLabel('Name').press('Enter');
      const refusal = create.getByRole('alert');
      await refusal.waitFor();
      expect(await refusal.textContent()).toBe('invalid config: name: must not be blank');
      expect(await inView(refusal)).toBe(true);
      // Nothing typed is lost.
      expect(await create.getByLabel('Config (JSON)').inputValue()).toBe(typed);
      await screenshot(page, '04-config-refused-in-editor');

      await list
        .getByRole('row')
        .filter({ hasText: fillers[0]?.slug ?? '' })
        .getByRole('button', { name: /^Open/ })
        .focus();
      await page.keyboard.press('Enter');
      const edit = page.getByRole('form', { name: `Edit ${fillers[0]?.slug}` });
      await edit.waitFor();
      await expect.poll(focusedId).toBe('config-name');
      expect(await inView(edit.getByLabel('Name'))).toBe(true);
    } finally {
      await page.setViewportSize({ width: 1400, height: 900 });
      for (const filler of fillers) await sdk().configs.delete({ slug: String(filler.slug) });
    }
  });

  it('opens a config at its own address; Cancel and Esc close the editor with the edits discarded, the focus back on the button that opened it', async () => {
    const created = await sdk().configs.create({ name: 'shared', config: { provider: 'openai' } });
    const slug = String(created.slug);
    try {
      const focused = () =>
        page.evaluate(
          'document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.textContent ?? ""',
        );
      // The address someone shared opens the config.
      await page.goto(consoleUrl(`/configs/${slug}`));
      const edit = page.getByRole('form', { name: `Edit ${slug}` });
      await edit.waitFor();
      expect(await edit.getByLabel('Name').inputValue()).toBe('shared');
      expect(await edit.getByRole('link', { name: 'Link to this config' }).getAttribute('href')).toBe(
        `/console/configs/${slug}`,
      );
      // Edits, then Cancel: nothing saved, the list's address again.
      await edit.getByLabel('Config (JSON)').fill(JSON.stringify({ provider: 'anthropic' }));
      await edit.getByRole('button', { name: 'Cancel' }).click();
      await edit.waitFor({ state: 'detached' });
      expect(new URL(page.url()).pathname).toBe('/console/configs');
      expect((await sdk().configs.retrieve({ slug })).config).toEqual({ provider: 'openai' });
      // Open gives the address; Esc closes, the edit discarded, the focus back on Open.
      const openButton = page.getByRole('button', { name: `Open ${slug}` });
      await openButton.click();
      await edit.waitFor();
      expect(new URL(page.url()).pathname).toBe(`/console/configs/${slug}`);
      expect(await edit.getByLabel('Config (JSON)').inputValue()).toBe(
        JSON.stringify({ provider: 'openai' }, null, 2),
      );
      await edit.getByLabel('Name').fill('changed');
      await page.keyboard.press('Escape');
      await edit.waitFor({ state: 'detached' });
      expect(await focused()).toBe(`Open ${slug}`);
      expect((await sdk().configs.retrieve({ slug })).name).toBe('shared');
      // By keyboard alone: Open, then Cancel.
      await openButton.focus();
      await page.keyboard.press('Enter');
      await edit.waitFor();
      await edit.getByRole('button', { name: 'Cancel' }).focus();
      await page.keyboard.press('Enter');
      await edit.waitFor({ state: 'detached' });
      expect(await focused()).toBe(`Open ${slug}`);
      // A new config's editor too: Esc, and the focus is on New config again.
      await page.getByRole('button', { name: 'New config' }).click();
      const create = page.getByRole('form', { name: 'Create a config' });
      await create.waitFor();
      await page.keyboard.press('Escape');
      await create.waitFor({ state: 'detached' });
      expect(await focused()).toBe('New config');
    } finally {
      await sdk().configs.delete({ slug });
    }
  });

  it('a rollback the gateway refuses is said in the Versions card by its button, in view, not above the list', async () => {
    const created = await sdk().configs.create({ name: 'rolled', config: { provider: 'openai' } });
    const slug = String(created.slug);
    await sdk().configs.update({ slug, config: { provider: 'anthropic' } });
    await page.setViewportSize({ width: 1280, height: 800 });
    try {
      await page.goto(consoleUrl(`/configs/${slug}`));
      const versions = page.getByRole('region', { name: 'Versions' });
      const rollBack = versions.getByRole('button', { name: 'Roll back to v1' });
      await rollBack.waitFor();
      // Deleted elsewhere meanwhile: the rollback is refused.
      await sdk().configs.delete({ slug });
      await rollBack.click();
      const refusal = versions.getByRole('alert');
      await refusal.waitFor();
      expect(await refusal.textContent()).toMatch(/\S/);
      const box = await refusal.boundingBox();
      expect(box !== null && box.y >= 0 && box.y + box.height <= 800).toBe(true);
      // Only there: the view's own error line (above the list) says nothing.
      expect(await page.getByRole('alert').count()).toBe(1);
    } finally {
      await page.setViewportSize({ width: 1400, height: 900 });
      await sdk()
        .configs.delete({ slug })
        .catch(() => undefined);
    }
  });

  it('creates a virtual key with no provider key (a provider that takes none, such as Ollama): the blank field is not sent as an empty key', async () => {
    await page.goto(consoleUrl('/virtual-keys'));
    await page.getByLabel('Name', { exact: true }).fill('local ollama');
    await page.getByLabel('Provider', { exact: true }).fill('ollama');
    await page.getByLabel('Custom host (optional)').fill(mock.url);
    await page.getByLabel('Custom host (optional)').press('Enter');
    const slug = (await page.getByTestId('created-slug').textContent()) ?? '';
    expect(slug).toMatch(/^local-ollama-[0-9a-f]{6}$/);
    expect(await page.getByRole('alert').count()).toBe(0);
    const stored = (await sdk().virtualKeys.retrieve({ slug })) as { masked_api_key?: string | null };
    expect(stored.masked_api_key ?? null).toBeNull();
    await sdk().virtualKeys.delete({ slug });
  });

  it('edits a virtual key’s limits by keyboard alone: Esc closes the editor without saving, Enter saves, and each time the focus returns to the Limits button', async () => {
    const vk = await sdk().virtualKeys.create({
      name: 'keyboard limits',
      provider: 'openai',
      key: VK_SECRET,
      custom_host: `${mock.url}/v1`,
    });
    const slug = String(vk.slug);
    await page.setViewportSize({ width: 1280, height: 800 });
    try {
      await page.goto(consoleUrl('/virtual-keys'));
      const limitsButton = page.getByRole('button', { name: `Edit limits of ${slug}` });
      const focusedLabel = () => page.evaluate('document.activeElement?.getAttribute("aria-label") ?? ""');
      const editor = page.getByRole('form', { name: `Limits of ${slug}` });
      await limitsButton.focus();
      await page.keyboard.press('Enter');
      await editor.waitFor();
      await page.keyboard.type('7');
      await page.keyboard.press('Escape');
      await editor.waitFor({ state: 'detached' });
      expect(await focusedLabel()).toBe(`Edit limits of ${slug}`);
      expect(
        ((await sdk().virtualKeys.retrieve({ slug })) as { usage_limits?: unknown }).usage_limits,
      ).toBeFalsy();

      await page.keyboard.press('Enter');
      await editor.waitFor();
      // A limit the gateway refuses is said in the editor, in view (the view's error line is above
      // the create form, out of view at 1280×800), with what was typed kept.
      await page.keyboard.type('-5');
      await page.keyboard.press('Enter');
      const refusal = editor.getByRole('alert').filter({ hasText: 'Budget: expected a number above 0' });
      await refusal.waitFor();
      const box = await refusal.boundingBox();
      expect(box !== null && box.y >= 0 && box.y + box.height <= 800, JSON.stringify(box)).toBe(true);
      expect(await editor.getByLabel('Limit', { exact: true }).inputValue()).toBe('-5');
      await editor.getByLabel('Limit', { exact: true }).fill('');
      await page.keyboard.type('5');
      await page.keyboard.press('Enter');
      await editor.waitFor({ state: 'detached' });
      await page.getByRole('row').filter({ hasText: slug }).getByText('of $5.00 a month').waitFor();
      await expect.poll(focusedLabel).toBe(`Edit limits of ${slug}`);
    } finally {
      await page.setViewportSize({ width: 1400, height: 900 });
      await sdk().virtualKeys.delete({ slug });
    }
  });

  it('creates a gateway key (its secret shown once), revokes it, and the SDK’s next call fails', async () => {
    await page.getByRole('link', { name: 'Gateway keys' }).click();
    await page.getByLabel('Name').fill('doomed');
    // The create form's budget fields (the virtual-key form's component) reach the gateway key.
    await page.getByLabel('Limit', { exact: true }).fill('5');
    await page.getByLabel('Starts again').selectOption('weekly');
    // An expiry already past is refused, saying so (a key saved dead would answer 401 at once).
    await page.getByLabel('Expires (optional, local time)').fill('2001-01-02T03:04');
    await page.getByRole('button', { name: 'Create gateway key' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'invalid gateway key: expires_at: is in the past (2001-01-0' })
      .waitFor();
    expect(((await sdk().apiKeys.list({})).data ?? []).some((key) => key.name === 'doomed')).toBe(false);
    // An expiry, in local time as on the virtual-key form.
    await page.getByLabel('Expires (optional, local time)').fill('2099-01-02T03:04');
    await page.getByRole('button', { name: 'Create gateway key' }).click();
    const secret = (await page.getByTestId('new-secret').textContent()) ?? '';
    expect(secret.length).toBeGreaterThan(20);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    expect(await page.content()).not.toContain(secret);
    await expectNoSeriousViolations('gateway-keys');
    await page
      .getByRole('row')
      .filter({ hasText: 'doomed' })
      .getByRole('cell', { name: /^\$0\.00 of \$5\.00 a week, resets \d{4}-\d{2}-\d{2} 00:00 UTC$/ })
      .waitFor();
    const doomed = ((await sdk().apiKeys.list({})).data ?? []).find((key) => key.name === 'doomed') as
      | { expires_at?: string }
      | undefined;
    const browserTime = await page.evaluate(() => new Date('2099-01-02T03:04').toISOString());
    expect(Date.parse(doomed?.expires_at ?? '')).toBe(Date.parse(browserTime));
    const shownExpiry = await page.evaluate((iso) => new Date(iso).toLocaleString(), browserTime);
    await page
      .getByRole('row')
      .filter({ hasText: 'doomed' })
      .getByRole('cell', { name: shownExpiry, exact: true })
      .waitFor();

    const client = new Portkey({ apiKey: secret, baseURL: gateway.base, config: direct() });
    const ok = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(ok.choices?.[0]?.message?.content).toBeTruthy();

    await page.getByRole('button', { name: 'Revoke doomed' }).click();
    await page
      .getByRole('row')
      .filter({ hasText: 'doomed' })
      .getByRole('cell', { name: 'revoked' })
      .waitFor();
    await screenshot(page, '05-gateway-key-revoked');
    const started = Date.now();
    let status = 0;
    while (Date.now() - started < 2000) {
      try {
        await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
      } catch (error) {
        status = (error as { status?: number }).status ?? -1;
        break;
      }
    }
    expect(status).toBe(401);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('sets a budget on a new virtual key, shows its use, marks it exhausted when refused, and Reset usage lets the SDK through', async () => {
    await page.getByRole('link', { name: 'Virtual keys' }).click();
    // Exact: each listed key's "Rename <slug>" button is labelled with "name" too.
    await page.getByLabel('Name', { exact: true }).fill('metered');
    await page.getByLabel('Provider', { exact: true }).fill('openai');
    await page.getByLabel('Provider API key').fill(VK_SECRET);
    await page.getByLabel('Custom host (optional)').fill(`${mock.url}/v1`);
    // A limit that is not a number is refused in the page, before anything is sent.
    await page.getByLabel('Limit', { exact: true }).fill('a thousand');
    await page.getByRole('button', { name: 'Create virtual key' }).click();
    await page.getByRole('alert').filter({ hasText: 'Budget: expected a number above 0' }).waitFor();
    await page.getByLabel('Limit', { exact: true }).fill('1000');
    await page.getByLabel('Counted in').selectOption('tokens');
    await page.getByLabel('Starts again').selectOption('');
    await page.getByRole('button', { name: 'Create virtual key' }).click();
    const slug = (await page.getByTestId('created-slug').textContent()) ?? '';
    expect(slug).toMatch(/^metered-[0-9a-f]{6}$/);
    expect((await sdk().virtualKeys.retrieve({ slug })).usage_limits).toEqual({
      credit_limit: 1000,
      type: 'tokens',
      periodic_reset: null,
      // Worked out by the gateway: a budget that never resets.
      next_usage_reset_at: null,
    });
    const row = page.getByRole('row').filter({ hasText: slug });
    await row.getByRole('cell', { name: '0 of 1,000 tokens', exact: true }).waitFor();

    const app = new Portkey({ apiKey: adminKey, baseURL: gateway.base, virtualKey: slug });
    const ask = (maxTokens: number) =>
      app.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: maxTokens, messages });
    // 5,000 tokens can never fit in a budget of 1,000: refused before the provider, and remembered.
    expect(await ask(5_000).catch((error: { status?: number }) => error.status)).toBe(412);
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByRole('link', { name: 'Virtual keys' }).click();
    await row.getByRole('cell', { name: 'exhausted', exact: true }).waitFor();
    await screenshot(page, '05b-virtual-key-exhausted');
    // Every action of the row can be clicked (not clipped by its cell), on a laptop's width too.
    for (const width of [1400, 1024]) {
      await page.setViewportSize({ width, height: 900 });
      const buttons = await row.getByRole('button').all();
      expect(buttons.length).toBeGreaterThanOrEqual(5);
      for (const button of buttons) await button.click({ trial: true, timeout: 2_000 });
    }
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.getByRole('button', { name: `Reset usage of ${slug}` }).click();
    await row.getByRole('cell', { name: 'active', exact: true }).waitFor();
    expect(dialogs.at(-1)).toBe(
      `confirm: Reset the usage of ${slug}? Its budget starts again from zero for this period.`,
    );
    expect(await page.getByRole('button', { name: `Reset usage of ${slug}` }).count()).toBe(0);
    const answer = await ask(50);
    expect(answer.choices?.[0]?.message?.content).toBeTruthy();
    // What the answer used, once settled, in the list.
    const used = row.getByRole('cell', { name: /^[1-9][\d,]* of 1,000 tokens$/ });
    const until = Date.now() + 5000;
    while ((await used.count()) === 0 && Date.now() < until) {
      await page.getByRole('link', { name: 'Logs' }).click();
      await page.getByRole('link', { name: 'Virtual keys' }).click();
      await row.waitFor();
    }
    expect(await used.count()).toBe(1);
  });

  it('shows a virtual key’s spend this month without a budget, and disables it from its row after asking: the list says disabled, the SDK is refused (401, nothing sent); Enable serves it again', async () => {
    const { slug } = (await sdk().virtualKeys.create({
      name: 'pausable',
      provider: 'openai',
      key: VK_SECRET,
      custom_host: `${mock.url}/v1`,
    })) as { slug: string };
    const app = new Portkey({ apiKey: adminKey, baseURL: gateway.base, virtualKey: slug });
    const ask = () =>
      app.chat.completions.create({ model: 'gpt-4o-mini', messages }).then(
        () => 200,
        (error: { status?: number; error?: { error?: { code?: string } } }) =>
          `${error.status} ${error.error?.error?.code}`,
      );
    expect(await ask()).toBe(200);
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByRole('link', { name: 'Virtual keys' }).click();
    const row = page.getByRole('row').filter({ hasText: slug });
    await row.getByRole('cell', { name: 'active', exact: true }).waitFor();
    // No budget, yet its spend this month shows (from the request logs, as Analytics sums it).
    const spent = row.getByRole('cell', { name: /^\$0\.0*[1-9]\d*$/ });
    const until = Date.now() + 5000;
    while ((await spent.count()) === 0 && Date.now() < until) {
      await page.getByRole('link', { name: 'Logs' }).click();
      await page.getByRole('link', { name: 'Virtual keys' }).click();
      await row.waitFor();
    }
    expect(await spent.count()).toBe(1);
    expect(await row.getByRole('cell', { name: 'none', exact: true }).count()).toBe(2);
    await page.getByRole('button', { name: `Disable ${slug}` }).click();
    await row.getByRole('cell', { name: 'disabled', exact: true }).waitFor();
    expect(dialogs.at(-1)).toBe(
      `confirm: Disable the virtual key ${slug}? Requests that name it are refused until it is enabled again; the key and its history are kept.`,
    );
    await screenshot(page, '05c-virtual-key-disabled');
    const sent = mock.received.length;
    expect(await ask()).toBe('401 PK_ERR_VIRTUAL_KEY_DISABLED');
    expect(mock.received).toHaveLength(sent);
    // The button now offers the way back, and is reached by keyboard.
    const enable = page.getByRole('button', { name: `Enable ${slug}` });
    await enable.focus();
    await page.keyboard.press('Enter');
    await row.getByRole('cell', { name: 'active', exact: true }).waitFor();
    expect(dialogs.at(-1)).toBe(
      `confirm: Enable the virtual key ${slug}? Requests that name it are served again.`,
    );
    expect(await ask()).toBe(200);
    expect(mock.received.at(-1)?.headers.authorization).toBe(`Bearer ${VK_SECRET}`);
  });

  it('changes and removes the budget of an existing virtual key, and the gateway enforces each at once', async () => {
    const created = await sdk().virtualKeys.create({
      name: 'unmetered',
      provider: 'openai',
      key: VK_SECRET,
      custom_host: `${mock.url}/v1`,
    });
    const slug = created.slug as string;
    const app = new Portkey({ apiKey: adminKey, baseURL: gateway.base, virtualKey: slug });
    const ask = (maxTokens: number) =>
      app.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: maxTokens, messages });
    const askedFor = (maxTokens: number) =>
      mock.received.filter((request) => request.body?.max_tokens === maxTokens).length;

    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByRole('link', { name: 'Virtual keys' }).click();
    const row = page.getByRole('row').filter({ hasText: slug });
    // Neither a budget nor a rate limit.
    await row.getByRole('cell', { name: 'none', exact: true }).nth(1).waitFor();
    await row.getByRole('button', { name: `Edit limits of ${slug}` }).click();
    const editor = page.getByRole('form', { name: `Limits of ${slug}` });
    // The editor opens on the key's budget (none) with the focus in its first field.
    expect(await editor.getByLabel('Limit', { exact: true }).inputValue()).toBe('');
    expect(await editor.locator(':focus').getAttribute('id')).toBe('vk-edit-budget');
    await editor.getByLabel('Limit', { exact: true }).fill('2000');
    await editor.getByLabel('Counted in').selectOption('tokens');
    await editor.getByLabel('Starts again').selectOption('weekly');
    await expectNoSeriousViolations('virtual-key-budget-editor');
    await screenshot(page, '05c-virtual-key-budget-editor');
    await editor.getByRole('button', { name: 'Save limits' }).click();
    await row.getByRole('cell', { name: /^0 of 2,000 tokens a week, resets / }).waitFor();
    expect(await editor.count()).toBe(0);
    expect((await sdk().virtualKeys.retrieve({ slug })).usage_limits).toEqual({
      credit_limit: 2000,
      type: 'tokens',
      periodic_reset: 'weekly',
      next_usage_reset_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T00:00:00\.000Z$/),
    });
    // The new budget holds for the next request: 3,000 tokens cannot fit in 2,000.
    expect(await ask(3_000).catch((error: { status?: number }) => error.status)).toBe(412);
    expect(askedFor(3_000)).toBe(0);

    // Raised: the same request passes and reaches the provider.
    await row.getByRole('button', { name: `Edit limits of ${slug}` }).click();
    expect(await editor.getByLabel('Limit', { exact: true }).inputValue()).toBe('2000');
    expect(await editor.getByLabel('Starts again').inputValue()).toBe('weekly');
    await editor.getByLabel('Limit', { exact: true }).fill('50000');
    await editor.getByRole('button', { name: 'Save limits' }).click();
    await row
      .getByRole('cell', { name: /of 50,000 tokens a week, resets \d{4}-\d{2}-\d{2} 00:00 UTC$/ })
      .waitFor();
    expect((await ask(3_000)).choices?.[0]?.message?.content).toBeTruthy();
    expect(askedFor(3_000)).toBe(1);

    // Removed, after a question: no limit any more.
    await row.getByRole('button', { name: `Edit limits of ${slug}` }).click();
    await editor.getByRole('button', { name: 'Remove budget' }).click();
    await row.getByRole('cell', { name: 'none', exact: true }).nth(1).waitFor();
    expect(dialogs.at(-1)).toBe(
      `confirm: Remove the budget of ${slug}? Its requests are then no longer limited by spend.`,
    );
    expect((await sdk().virtualKeys.retrieve({ slug })).usage_limits).toBeNull();
    expect((await ask(60_000)).choices?.[0]?.message?.content).toBeTruthy();
    expect(askedFor(60_000)).toBe(1);
  });

  it('replaces a virtual key’s provider key in the UI: the SDK’s next request carries the new one, which the page never shows', async () => {
    const created = await sdk().virtualKeys.create({
      name: 'rotating',
      provider: 'openai',
      key: VK_SECRET,
      custom_host: `${mock.url}/v1`,
    });
    const slug = created.slug as string;
    const app = new Portkey({ apiKey: adminKey, baseURL: gateway.base, virtualKey: slug });
    await app.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(mock.received.at(-1)?.headers.authorization).toBe(`Bearer ${VK_SECRET}`);

    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByRole('link', { name: 'Virtual keys' }).click();
    const row = page.getByRole('row').filter({ hasText: slug });
    await row.getByRole('button', { name: `Replace key of ${slug}` }).click();
    const form = page.getByRole('form', { name: `Replace the provider key of ${slug}` });
    const field = form.getByLabel('New provider API key');
    expect(await field.getAttribute('type')).toBe('password');
    await field.fill(ROTATED_SECRET);
    await form.getByRole('button', { name: 'Replace key' }).click();
    await form.waitFor({ state: 'detached' });
    await row.getByRole('cell', { name: 'sk-…3210', exact: true }).waitFor();
    expect(await page.content()).not.toContain(ROTATED_SECRET);
    await app.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(mock.received.at(-1)?.headers.authorization).toBe(`Bearer ${ROTATED_SECRET}`);
  });

  it('creates an integration in the UI and adds a provider with a budget of its own: the SDK reaches both as @slug, a replaced key reaches both, the delete waits for the providers', async () => {
    await page.getByRole('link', { name: 'Integrations' }).click();
    const create = page.getByRole('form', { name: 'Create an integration' });
    await create.getByLabel('Name', { exact: true }).fill('Console OpenAI');
    await create.getByLabel('Slug (optional)').fill('console-openai');
    await create.getByLabel('Provider', { exact: true }).fill('openai');
    await create.getByLabel('Provider API key').fill(INTEGRATION_SECRET);
    await create.getByLabel('Custom host (optional)').fill(`${mock.url}/v1`);
    expect(await create.getByLabel('Make a provider of the same slug').isChecked()).toBe(true);
    await create.getByRole('button', { name: 'Create integration' }).click();
    await page.getByRole('status').filter({ hasText: 'name it as @console-openai/<model>' }).waitFor();
    const app = new Portkey({ apiKey: adminKey, baseURL: gateway.base });
    await app.chat.completions.create({ model: '@console-openai/gpt-4o-mini', messages });
    expect(mock.received.at(-1)?.headers.authorization).toBe(`Bearer ${INTEGRATION_SECRET}`);

    // A second provider of the same key, with a budget of 1,000 tokens a period of its own.
    const row = page.getByRole('row').filter({ hasText: 'Console OpenAI' });
    await row.getByRole('button', { name: 'Add provider to console-openai' }).click();
    const add = page.getByRole('form', { name: 'Add a provider to console-openai' });
    await add.getByLabel('Name', { exact: true }).fill('Team B');
    await add.getByLabel('Slug (optional)').fill('console-team-b');
    await add.getByLabel('Limit', { exact: true }).fill('1000');
    await add.getByLabel('Counted in').selectOption('tokens');
    await add.getByRole('button', { name: 'Add provider' }).click();
    await add.waitFor({ state: 'detached' });
    await row.getByRole('cell', { name: 'console-openai, console-team-b', exact: true }).waitFor();
    await expectNoSeriousViolations('integrations');
    await screenshot(page, '05e-integrations');
    const teamB = new Portkey({ apiKey: adminKey, baseURL: gateway.base, provider: '@console-team-b' });
    const ask = (client: Portkey, model: string, maxTokens: number) =>
      client.chat.completions.create({ model, max_tokens: maxTokens, messages });
    await ask(teamB, 'gpt-4o-mini', 50);
    expect(mock.received.at(-1)?.headers.authorization).toBe(`Bearer ${INTEGRATION_SECRET}`);
    // Team B's budget refuses what the integration's own provider lets through.
    const sent = mock.received.length;
    expect(await ask(teamB, 'gpt-4o-mini', 5_000).catch((error: { status?: number }) => error.status)).toBe(
      412,
    );
    expect(mock.received.length).toBe(sent);
    await ask(app, '@console-openai/gpt-4o-mini', 5_000);
    expect(mock.received.length).toBe(sent + 1);

    // A new key on the integration: the next request through either provider carries it.
    await row.getByRole('button', { name: 'Replace key of console-openai' }).click();
    const replace = page.getByRole('form', { name: 'Replace the provider key of console-openai' });
    await replace
      .getByText('Requests through every provider of console-openai use the new key at once')
      .waitFor();
    await replace.getByLabel('New provider API key').fill(INTEGRATION_ROTATED);
    await replace.getByRole('button', { name: 'Replace key' }).click();
    await replace.waitFor({ state: 'detached' });
    await row.getByRole('cell', { name: 'sk-…5678', exact: true }).waitFor();
    expect(await page.content()).not.toContain(INTEGRATION_ROTATED);
    await ask(teamB, 'gpt-4o-mini', 50);
    expect(mock.received.at(-1)?.headers.authorization).toBe(`Bearer ${INTEGRATION_ROTATED}`);

    // Not deleted while providers remain; the Virtual keys view names the integration instead of
    // offering to replace a provider's key.
    await row.getByRole('button', { name: 'Delete console-openai' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'has the providers "console-openai", "console-team-b": delete them first' })
      .waitFor();
    await page.getByRole('link', { name: 'Virtual keys' }).click();
    const provider = page.getByRole('row').filter({ hasText: 'console-team-b' });
    await provider.getByText('(integration console-openai)').waitFor();
    expect(await provider.getByRole('button', { name: 'Replace key of console-team-b' }).count()).toBe(0);
    for (const slug of ['console-team-b', 'console-openai']) {
      await page
        .getByRole('row')
        .filter({ hasText: slug })
        .getByRole('button', { name: `Revoke ${slug}` })
        .click();
      await page.getByRole('row').filter({ hasText: slug }).waitFor({ state: 'detached' });
    }
    await page.getByRole('link', { name: 'Integrations' }).click();
    await page.getByRole('button', { name: 'Delete console-openai' }).click();
    await page.getByRole('cell', { name: 'console-openai', exact: true }).waitFor({ state: 'detached' });
    expect((await sdk().integrations.list()).total).toBe(0);
  });

  it('changes the budget of a gateway key, keeping the budget fields the form does not show, and sets a rate limit the SDK then meets (429, nothing sent)', async () => {
    const created = await sdk().apiKeys.create({
      type: 'workspace',
      'sub-type': 'service',
      name: 'monthly bot',
      workspace_id: 'bots',
      scopes: ['completions.write'],
      usage_limits: { credit_limit: 10, periodic_reset_days: 30, alert_threshold: 8 },
    });
    const id = created.id as string;
    await page.getByRole('link', { name: 'Gateway keys' }).click();
    const row = page.getByRole('row').filter({ hasText: 'monthly bot' });
    // The 30-day blocks are counted from 1970-01-01 (UTC), not from the key's creation: the list says
    // when this one ends, the reset the gateway enforces and answers.
    const resetAt = (
      (await sdk().apiKeys.retrieve({ id })) as unknown as { usage_limits: { next_usage_reset_at: string } }
    ).usage_limits.next_usage_reset_at;
    const resetText = `${resetAt.slice(0, 10)} 00:00 UTC`;
    await row
      .getByRole('cell', { name: `$0.00 of $10.00 every 30 days, resets ${resetText}`, exact: true })
      .waitFor();
    await row.getByRole('button', { name: 'Edit limits of monthly bot' }).click();
    const editor = page.getByRole('form', { name: 'Limits of monthly bot' });
    expect(await editor.getByLabel('Starts again').inputValue()).toBe('days');
    // A limit that is not a number is refused in the page, and nothing is sent.
    await editor.getByLabel('Limit', { exact: true }).fill('lots');
    await editor.getByRole('button', { name: 'Save limits' }).click();
    await page.getByRole('alert').filter({ hasText: 'Budget: expected a number above 0' }).waitFor();
    await editor.getByLabel('Limit', { exact: true }).fill('25');
    await editor.getByRole('button', { name: 'Save limits' }).click();
    await row
      .getByRole('cell', { name: `$0.00 of $25.00 every 30 days, resets ${resetText}`, exact: true })
      .waitFor();
    const stored = await sdk().apiKeys.retrieve({ id });
    expect(stored.usage_limits).toEqual({
      credit_limit: 25,
      type: 'cost',
      periodic_reset: null,
      periodic_reset_days: 30,
      alert_threshold: 8,
      next_usage_reset_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T00:00:00\.000Z$/),
    });
    // Cancel leaves it as it is.
    await row.getByRole('button', { name: 'Edit limits of monthly bot' }).click();
    await editor.getByLabel('Limit', { exact: true }).fill('1');
    await editor.getByRole('button', { name: 'Cancel' }).click();
    expect(await editor.count()).toBe(0);
    expect((await sdk().apiKeys.retrieve({ id })).usage_limits).toEqual(stored.usage_limits);

    // A rate limit of 2 requests a minute: a bad value is refused in the page, then the third request
    // of the minute gets 429 before the provider.
    await row.getByRole('button', { name: 'Edit limits of monthly bot' }).click();
    await editor.getByRole('button', { name: 'Add a rate limit' }).click();
    await editor.getByLabel('At most').fill('two');
    await editor.getByRole('button', { name: 'Save limits' }).click();
    await page.getByRole('alert').filter({ hasText: 'Rate limit 1: expected a whole number' }).waitFor();
    await editor.getByLabel('At most').fill('2');
    expect(await editor.getByLabel('Per').inputValue()).toBe('rpm');
    await expectNoSeriousViolations('gateway-key-limits-editor');
    await screenshot(page, '05d-gateway-key-limits');
    await editor.getByRole('button', { name: 'Save limits' }).click();
    await row.getByRole('cell', { name: '2 requests a minute', exact: true }).waitFor();
    const limited = await sdk().apiKeys.retrieve({ id });
    expect(limited.rate_limits).toEqual([{ type: 'requests', unit: 'rpm', value: 2 }]);
    expect(limited.usage_limits).toEqual(stored.usage_limits);
    const bot = new Portkey({
      apiKey: created.key as string,
      baseURL: gateway.base,
      config: direct(),
      maxRetries: 0,
    });
    const before = mock.received.length;
    const statuses: number[] = [];
    for (let index = 0; index < 3; index += 1) {
      statuses.push(
        await bot.chat.completions.create({ model: 'gpt-4o-mini', messages }).then(
          () => 200,
          (error: { status?: number }) => error.status ?? -1,
        ),
      );
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(mock.received.length).toBe(before + 2);
  });

  it('creates a guardrail in the UI that a saved config names: the SDK is refused (446) with nothing sent; edited to flag, the request goes on; deleted once the config, deleted in the Configs view, no longer names it', async () => {
    const vk = await sdk().virtualKeys.create({
      name: 'guarded provider',
      provider: 'openai',
      key: VK_SECRET,
      custom_host: `${mock.url}/v1`,
    });
    await page.getByRole('link', { name: 'Guardrails' }).click();
    await page.getByRole('button', { name: 'New guardrail' }).click();
    const editor = page.getByRole('form', { name: 'Create a guardrail' });
    await editor.getByLabel('Name', { exact: true }).fill('No SSN');
    const source = editor.getByLabel('Definition (JSON)');
    // The starter is a working guardrail; a broken text is caught in the page, before anything is sent.
    expect(JSON.parse(await source.inputValue())).toMatchObject({
      deny: true,
      checks: [{ id: 'default.regexMatch' }],
    });
    await source.fill('{"checks": [');
    await editor.getByTestId('guardrail-status').filter({ hasText: 'not JSON' }).waitFor();
    expect(await editor.getByRole('button', { name: 'Create guardrail' }).isDisabled()).toBe(true);
    // No check at all could never do anything: said in the page, as the gateway would refuse it.
    await source.fill('{"checks": [], "deny": true}');
    await editor
      .getByTestId('guardrail-status')
      .filter({ hasText: 'checks: needs at least one check: a guardrail without checks never does anything' })
      .waitFor();
    expect(await editor.getByRole('button', { name: 'Create guardrail' }).isDisabled()).toBe(true);
    // What only the gateway knows (a check's parameters), it says on save, with the path.
    await source.fill(
      JSON.stringify({
        checks: [{ id: 'default.regexMatch', parameters: { rule: '(unclosed' } }],
        deny: true,
      }),
    );
    await editor.getByRole('button', { name: 'Create guardrail' }).click();
    // Said in the editor, by the button just pressed: the view's error line is above the list, out of view.
    const refusal = editor.getByRole('alert').filter({ hasText: 'definition.checks[0].parameters.rule' });
    await refusal.waitFor();
    const box = await refusal.boundingBox();
    const viewport = page.viewportSize();
    expect(box !== null && viewport !== null && box.y >= 0 && box.y + box.height <= viewport.height).toBe(
      true,
    );
    const ssn = { id: 'default.regexMatch', parameters: { rule: '\\d{3}-\\d{2}-\\d{4}', not: true } };
    await source.fill(JSON.stringify({ checks: [ssn], deny: true }, null, 2));
    await expectNoSeriousViolations('guardrail-editor');
    await screenshot(page, '06-guardrail-editor');
    await editor.getByRole('button', { name: 'Create guardrail' }).click();
    const slug = (await page.getByTestId('saved-guardrail').textContent()) ?? '';
    expect(slug).toMatch(/^pg-no-ssn-[0-9a-f]{6}$/);
    const row = page.getByRole('row').filter({ hasText: slug });
    await row.getByRole('cell', { name: 'deny (446)', exact: true }).waitFor();

    const config = await sdk().configs.create({
      name: 'guarded',
      config: { virtual_key: vk.slug, input_guardrails: [slug] },
    });
    const app = sdk({ config: config.slug as string });
    const ask = (content: string) =>
      app.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });
    const before = mock.received.length;
    expect(await ask('My SSN is 123-45-6789').catch((error: { status?: number }) => error.status)).toBe(446);
    expect(mock.received.length).toBe(before);
    expect((await ask('What is the capital of France?')).choices?.[0]?.message?.content).toBeTruthy();
    expect(mock.received.length).toBe(before + 1);

    // Edited to flag instead of deny: the same request reaches the provider.
    await row.getByRole('button', { name: `Open ${slug}` }).click();
    const edit = page.getByRole('form', { name: `Edit ${slug}` });
    expect(JSON.parse(await edit.getByLabel('Definition (JSON)').inputValue())).toEqual({
      checks: [ssn],
      deny: true,
    });
    await edit.getByLabel('Definition (JSON)').fill(JSON.stringify({ checks: [ssn] }, null, 2));
    await edit.getByRole('button', { name: 'Save guardrail' }).click();
    await row.getByRole('cell', { name: 'flag (246)', exact: true }).waitFor();
    expect((await ask('My SSN is 123-45-6789')).choices?.[0]?.message?.content).toBeTruthy();
    expect(mock.received.at(-1)?.body?.messages).toEqual([
      { role: 'user', content: 'My SSN is 123-45-6789' },
    ]);

    // A guardrail a saved config names is not deleted; once the config is gone, it is.
    await row.getByRole('button', { name: `Delete ${slug}` }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: `named by the saved config "${config.slug}"` })
      .waitFor();
    expect(dialogs.at(-1)).toBe(`confirm: Delete the guardrail ${slug}? Configs can no longer name it.`);
    // The config is deleted in the Configs view (after asking); requests naming it then get 404.
    await page.getByRole('link', { name: 'Configs' }).click();
    await page.getByRole('button', { name: `Delete ${config.slug}` }).click();
    await page.getByRole('cell', { name: config.slug as string, exact: true }).waitFor({ state: 'detached' });
    expect(dialogs.at(-1)).toBe(
      `confirm: Delete the config ${config.slug}? Requests that name it will fail.`,
    );
    expect(await ask('hello').catch((error: { status?: number }) => error.status)).toBe(404);
    await page.getByRole('link', { name: 'Guardrails' }).click();
    await row.getByRole('button', { name: `Delete ${slug}` }).click();
    await row.waitFor({ state: 'detached' });
    expect(await sdk().guardrails.list()).toMatchObject({ total: 0 });
  });

  it('shows the breaker a saved config opened, with its target and time; Close sends the SDK’s next request to that target again', async () => {
    const vk = await sdk().virtualKeys.create({
      name: 'breaker provider',
      provider: 'openai',
      key: VK_SECRET,
      custom_host: `${mock.url}/v1`,
    });
    const config = await sdk().configs.create({
      name: 'breaking',
      config: {
        strategy: { mode: 'fallback', cb_config: { failure_threshold: 1, cooldown_interval: 60_000 } },
        targets: [
          { name: 'primary', virtual_key: vk.slug, override_params: { model: 'fail-500' } },
          { virtual_key: vk.slug, override_params: { model: 'cb-console-backup' } },
        ],
      },
    });
    const slug = config.slug as string;
    const app = sdk({ config: slug });
    const ask = async () =>
      (await app.chat.completions.create({ model: 'gpt-4o-mini', messages })).choices?.[0]?.message?.content;
    expect(await ask()).toBe('The capital of France is Paris.');
    const failed = mock.forModel('fail-500').length;
    expect(await ask()).toBe('The capital of France is Paris.');
    expect(mock.forModel('fail-500').length).toBe(failed);

    await page.getByRole('link', { name: 'Breakers' }).click();
    const row = page.getByRole('row').filter({ hasText: slug });
    await row.waitFor();
    // The breaker of the tenant whose requests opened it: the admin key's (its id, by default).
    expect(await row.getByRole('cell').allInnerTexts()).toEqual([
      `${slug} (tenant console-admin)`,
      `config.targets[0] primary · @${vk.slug} · fail-500`,
      expect.stringMatching(/^open until \S/),
      '1 of 1',
      'Close',
    ]);
    await page.getByTestId('breaker-store').waitFor();
    await expectNoSeriousViolations('breakers');
    await screenshot(page, '06e-breakers');

    // A Close the gateway refuses (its breaker store unreachable: answered here as the gateway answers
    // it, the console's placement being what is checked) is said in that breaker's row.
    const refusedMessage = 'the circuit breaker store cannot be reached: try again';
    await page.route('**/console/api/breakers/*', (route) =>
      route.request().method() === 'DELETE'
        ? route.fulfill({
            status: 503,
            contentType: 'application/json',
            body: JSON.stringify({
              error: {
                message: refusedMessage,
                type: 'api_error',
                param: null,
                code: 'PK_ERR_LIMITS_UNAVAILABLE',
              },
            }),
          })
        : route.fallback(),
    );
    const closeButton = row.getByRole('button', {
      name: `Close the breaker of ${slug} (tenant console-admin) config.targets[0]`,
    });
    await closeButton.click();
    await row.getByRole('alert').filter({ hasText: refusedMessage }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(1);
    await page.unroute('**/console/api/breakers/*');

    await closeButton.click();
    await page
      .getByRole('status')
      .filter({ hasText: `Closed the breaker of ${slug} (tenant console-admin) config.targets[0].` })
      .waitFor();
    expect(dialogs.at(-1)).toBe(
      `confirm: Close the breaker of ${slug} (tenant console-admin) config.targets[0]? The next request tries that target again.`,
    );
    await row.waitFor({ state: 'detached' });
    expect(await ask()).toBe('The capital of France is Paris.');
    expect(mock.forModel('fail-500').length).toBe(failed + 1);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await row.getByRole('cell', { name: 'open until', exact: false }).waitFor();
  });

  it('creates a partial and a prompt including it in the UI, saves new versions and publishes them: the SDK’s prompts.completions.create gets the published templates each time', async () => {
    const vk = await sdk().virtualKeys.create({
      name: 'prompt vk',
      provider: 'openai',
      key: PROVIDER_KEY,
      custom_host: `${mock.url}/v1`,
    } as unknown as Parameters<Portkey['virtualKeys']['create']>[0]);
    await page.getByRole('link', { name: 'Prompts' }).click();
    // A partial first, which the prompt includes.
    await page.getByRole('button', { name: 'New partial' }).click();
    const partial = page.getByRole('form', { name: 'Create a partial' });
    await partial.getByLabel('Name', { exact: true }).fill('Console sign-off');
    await partial.getByLabel('Slug (optional: made from the name)').fill('console-sign');
    await partial.getByLabel('Template', { exact: true }).fill('Thanks, {{who}}.');
    await partial.getByRole('button', { name: 'Create partial' }).click();
    await page.getByTestId('saved-partial').filter({ hasText: 'console-sign' }).waitFor();
    await page.getByRole('button', { name: 'New prompt' }).click();
    const create = page.getByRole('form', { name: 'Create a prompt' });
    await create.getByLabel('Name', { exact: true }).fill('Console support');
    await create.getByLabel('Slug (optional: made from the name)').fill('console-support');
    await create.getByLabel('Virtual key or provider slug').fill(vk.slug as string);
    await create.getByLabel('Model', { exact: true }).fill('gpt-4o-mini');
    const parameters = create.getByLabel('Parameters (JSON)');
    await parameters.fill('{"temperature": ');
    await create.getByTestId('prompt-parameters-status').filter({ hasText: 'not JSON' }).waitFor();
    expect(await create.getByRole('button', { name: 'Create prompt' }).isDisabled()).toBe(true);
    await parameters.fill('{"temperature": 0.1}');
    await create
      .getByLabel('Template', { exact: true })
      .fill(
        JSON.stringify([{ role: 'user', content: 'Tell {{who}} the capital of France. {{> console-sign}}' }]),
      );
    // A virtual key that does not exist: refused on save, said in the editor (in view, by its button),
    // with the form kept as typed.
    await create.getByLabel('Virtual key or provider slug').fill('vk-nowhere');
    await create.getByRole('button', { name: 'Create prompt' }).click();
    const refusal = create.getByRole('alert').filter({ hasText: 'invalid prompt: virtual_key' });
    await refusal.waitFor();
    const refusalBox = await refusal.boundingBox();
    const viewport = page.viewportSize();
    expect(
      refusalBox !== null &&
        viewport !== null &&
        refusalBox.y >= 0 &&
        refusalBox.y + refusalBox.height <= viewport.height,
    ).toBe(true);
    expect(await create.getByLabel('Model', { exact: true }).inputValue()).toBe('gpt-4o-mini');
    await create.getByLabel('Virtual key or provider slug').fill(vk.slug as string);
    await create.getByRole('button', { name: 'Create prompt' }).click();
    // The prompts' own notice (the partials section has one of its own).
    const prompts = page.getByRole('region', { name: 'Prompts' });
    await prompts.getByRole('status').filter({ hasText: 'console-support. Requests get it now' }).waitFor();
    const run = async () => {
      await sdk().prompts.completions.create({ promptID: 'console-support', variables: { who: 'Ann' } });
      return mock.received.at(-1);
    };
    const first = await run();
    expect(first?.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    expect(first?.body).toMatchObject({
      model: 'gpt-4o-mini',
      temperature: 0.1,
      messages: [{ role: 'user', content: 'Tell Ann the capital of France. Thanks, Ann.' }],
    });
    // The partial cannot be deleted while the published prompt includes it: the page says why.
    const partials = page.getByRole('region', { name: 'Partials' });
    await partials.getByRole('button', { name: 'Delete console-sign' }).click();
    await partials
      .getByRole('alert')
      .filter({
        hasText:
          'the prompt partial "console-sign" is included by the prompt "console-support": change or delete it first',
      })
      .waitFor();
    expect((await sdk().prompts.partials.list()).total).toBe(1);

    // A new version: requests keep getting the published one until it is published.
    const edit = page.getByRole('form', { name: 'New version of console-support' });
    await edit.getByLabel('Template', { exact: true }).fill('Greet {{who}}.');
    await edit.getByLabel('Version description (optional)').fill('greeting');
    await edit.getByRole('button', { name: 'Save as a new version' }).click();
    await prompts
      .getByRole('status')
      .filter({ hasText: 'Requests get version 1 until you publish it' })
      .waitFor();
    expect((await run())?.body).toMatchObject({
      messages: [{ role: 'user', content: 'Tell Ann the capital of France. Thanks, Ann.' }],
    });
    await page.getByRole('button', { name: 'Publish version 2 of console-support' }).click();
    const versions = page.getByRole('table', { name: 'Versions of console-support' });
    await versions.getByRole('row').filter({ hasText: 'greeting' }).getByText('published').waitFor();
    expect((await run())?.body).toMatchObject({ messages: [{ role: 'user', content: 'Greet Ann.' }] });
    await page
      .getByRole('row')
      .filter({ hasText: 'Console support' })
      .getByRole('cell', { name: '2' })
      .first()
      .waitFor();
    await expectNoSeriousViolations('prompts');
    // From the top: the table's sticky header would cover its row in a full-page shot of a scrolled page.
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, '06b-prompts');

    // A new version of the partial (its editor stayed open after the create), published from its
    // versions table: the next run includes it.
    const partialEdit = page.getByRole('form', { name: 'New version of console-sign' });
    await partialEdit.getByLabel('Template', { exact: true }).fill('Cheers, {{who}}.');
    await partialEdit.getByRole('button', { name: 'Save as a new version' }).click();
    await page.getByRole('button', { name: 'Publish version 2 of console-sign' }).click();
    // Newest first: version 2's row says it is the published one.
    await page
      .getByRole('table', { name: 'Versions of console-sign' })
      .getByRole('row')
      .nth(1)
      .getByText('published')
      .waitFor();
    await sdk().prompts.completions.create({ promptID: 'console-support@1', variables: { who: 'Ann' } });
    expect(mock.received.at(-1)?.body).toMatchObject({
      messages: [{ role: 'user', content: 'Tell Ann the capital of France. Cheers, Ann.' }],
    });
    await page.getByRole('button', { name: 'Delete console-support' }).click();
    await page.getByRole('cell', { name: 'console-support', exact: true }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Delete console-sign' }).click();
    await page.getByRole('cell', { name: 'console-sign', exact: true }).waitFor({ state: 'detached' });
    expect((await sdk().prompts.list()).total).toBe(0);
    expect((await sdk().prompts.partials.list()).total).toBe(0);
    await sdk().virtualKeys.delete({ slug: vk.slug as string });
  });

  it('creates a label in the UI and points it and staging at versions of a prompt: slug@canary and slug@staging run those versions, the versions table shows the labels', async () => {
    const vk = await sdk().virtualKeys.create({
      name: 'label vk',
      provider: 'openai',
      key: PROVIDER_KEY,
      custom_host: `${mock.url}/v1`,
    } as unknown as Parameters<Portkey['virtualKeys']['create']>[0]);
    const created = await sdk().prompts.create({
      name: 'Console labelled',
      string: 'Version one for {{who}}.',
      parameters: {},
      model: 'gpt-4o-mini',
      virtual_key: vk.slug as string,
      version_description: 'first',
    } as unknown as Parameters<Portkey['prompts']['create']>[0]);
    const slug = created.slug as string;
    await sdk().prompts.update(slug, { string: 'Version two for {{who}}.', version_description: 'second' });
    const run = async (promptID: string) => {
      await sdk().prompts.completions.create({ promptID, variables: { who: 'Ann' } });
      return (mock.received.at(-1)?.body as { messages?: unknown[] } | undefined)?.messages;
    };
    // Loaded afresh: the previous test left the page on this view, listed before the SDK made the prompt.
    await page.goto(consoleUrl('/prompts'));

    // A label of our own, made in the UI (a name that reads as a version is refused in the page).
    const labels = page.getByRole('region', { name: 'Labels' });
    const create = labels.getByRole('form', { name: 'Create a label' });
    await create.getByLabel('Name', { exact: true }).fill('latest');
    await create.getByRole('status').filter({ hasText: 'names a version' }).waitFor();
    expect(await create.getByRole('button', { name: 'Create label' }).isDisabled()).toBe(true);
    await create.getByLabel('Name', { exact: true }).fill('canary');
    await create.getByLabel('Description (optional)').fill('a few users');
    await create.getByRole('button', { name: 'Create label' }).click();
    const canary = labels.getByRole('row').filter({ hasText: 'a few users' });
    await canary.getByRole('button', { name: 'Delete label canary' }).waitFor();
    // The built-in ones cannot be deleted.
    await labels.getByRole('row').filter({ hasText: 'staging' }).getByText('built in').waitFor();

    // Open the prompt: canary at version 1, staging at version 2, each from its row.
    await page.getByRole('button', { name: `Open ${slug}`, exact: true }).click();
    const versions = page.getByRole('table', { name: `Versions of ${slug}` });
    const row = (description: string) => versions.getByRole('row').filter({ hasText: description });
    await row('first').waitFor();
    await versions.getByLabel(`Label for version 1 of ${slug}`).selectOption({ label: 'canary' });
    await versions.getByRole('button', { name: `Set label on version 1 of ${slug}` }).click();
    await row('first').locator('.badge', { hasText: 'canary' }).waitFor();
    await versions.getByLabel(`Label for version 2 of ${slug}`).selectOption({ label: 'staging' });
    await versions.getByRole('button', { name: `Set label on version 2 of ${slug}` }).click();
    await row('second').locator('.badge', { hasText: 'staging' }).waitFor();
    expect(await row('first').locator('.badge').allTextContents()).toEqual(['canary']);
    expect(await row('second').locator('.badge').allTextContents()).toEqual(['staging']);
    // A label already pointing at a version is not offered there again.
    expect(
      await versions.getByLabel(`Label for version 1 of ${slug}`).locator('option').allTextContents(),
    ).not.toContain('canary');

    expect(await run(`${slug}@canary`)).toEqual([{ role: 'user', content: 'Version one for Ann.' }]);
    expect(await run(`${slug}@staging`)).toEqual([{ role: 'user', content: 'Version two for Ann.' }]);
    const listed = (await sdk().prompts.versions.list(slug)).data as {
      prompt_version: number;
      labels: string[];
    }[];
    expect(listed.map((version) => [version.prompt_version, version.labels])).toEqual([
      [2, ['staging']],
      [1, ['canary']],
    ]);
    await expectNoSeriousViolations('prompt-labels');
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, '06c-prompt-labels');

    // Deleting the label (after asking) takes it off the version, and slug@canary no longer runs.
    await canary.getByRole('button', { name: 'Delete label canary' }).click();
    await canary.waitFor({ state: 'detached' });
    expect(dialogs.at(-1)).toBe(
      'confirm: Delete the label canary? Requests that name slug@canary will fail.',
    );
    await row('first').locator('.badge').waitFor({ state: 'detached' });
    const sent = mock.received.length;
    expect(await run(`${slug}@canary`).catch((error: { status?: number }) => error.status)).toBe(404);
    expect(mock.received.length).toBe(sent);
    await page.getByRole('button', { name: `Delete ${slug}`, exact: true }).click();
    await page.getByRole('cell', { name: slug, exact: true }).waitFor({ state: 'detached' });
    await sdk().virtualKeys.delete({ slug: vk.slug as string });
  });

  it('keeps prompts in collections from the UI: a collection in another, a prompt made in it and one moved there, the counts as GET /v1/collections answers them, the list filtered by one, a non-empty one refused with the gateway’s reason, a rename, then emptied and deleted', async () => {
    const createPrompt = (body: Record<string, unknown>) =>
      sdk().prompts.create({
        string: 'Hello {{who}}.',
        parameters: {},
        model: 'gpt-4o-mini',
        ...body,
      } as unknown as Parameters<Portkey['prompts']['create']>[0]);
    // One in no collection (moved into one from the UI), one naming a collection not made here.
    const loose = (await createPrompt({ name: 'Console loose' })).slug as string;
    const elsewhere = (await createPrompt({ name: 'Console elsewhere', collection_id: 'team-folder' }))
      .slug as string;
    await page.goto(consoleUrl('/prompts'));
    const section = page.getByRole('region', { name: 'Collections' });
    const item = (name: string) =>
      section.getByTestId('collection').filter({ has: page.getByText(name, { exact: true }) });
    const make = section.getByRole('form', { name: 'Create a collection' });
    await make.getByLabel('Name', { exact: true }).fill('Console desk');
    await make.getByRole('button', { name: 'Create collection' }).click();
    await item('Console desk').waitFor();
    await make.getByLabel('In collection (optional)').selectOption({ label: 'Console desk' });
    await make.getByLabel('Name', { exact: true }).fill('Console refunds');
    await make.getByRole('button', { name: 'Create collection' }).click();
    // The child is listed inside its parent.
    await section
      .getByRole('list', { name: 'In Console desk' })
      .getByTestId('collection')
      .filter({ hasText: 'Console refunds' })
      .waitFor();

    // A prompt made in the child from the UI, and the loose one moved there from its detail.
    const prompts = page.getByRole('region', { name: 'Prompts' });
    const table = prompts.getByRole('table', { name: 'Prompts', exact: true });
    const promptRow = (slug: string) =>
      table.getByRole('row').filter({ has: page.getByRole('cell', { name: slug, exact: true }) });
    await page.getByRole('button', { name: 'New prompt' }).click();
    const create = page.getByRole('form', { name: 'Create a prompt' });
    await create.getByLabel('Name', { exact: true }).fill('Console filed');
    await create.getByLabel('Slug (optional: made from the name)').fill('console-filed');
    await create
      .getByLabel('Collection (optional)')
      .selectOption({ label: 'Console desk / Console refunds' });
    await create.getByRole('button', { name: 'Create prompt' }).click();
    await prompts.getByRole('status').filter({ hasText: 'console-filed. Requests get it now' }).waitFor();
    await page.getByRole('button', { name: `Open ${loose}`, exact: true }).click();
    const move = page.getByRole('form', { name: `Collection of ${loose}` });
    await move.getByLabel('Collection').selectOption({ label: 'Console desk / Console refunds' });
    await move.getByRole('button', { name: 'Move' }).click();
    await move
      .getByRole('status')
      .filter({ hasText: `Moved ${loose} to Console refunds.` })
      .waitFor();
    // Each row names its collection; one the gateway does not know is shown as given.
    for (const slug of ['console-filed', loose])
      await promptRow(slug).getByRole('cell', { name: 'Console refunds', exact: true }).waitFor();
    await promptRow(elsewhere).getByRole('cell', { name: 'team-folder', exact: true }).waitFor();
    // Moving made no new version.
    expect((await sdk().prompts.retrieve(loose)) as { latest_version?: number }).toMatchObject({
      latest_version: 1,
    });

    // The counts the tree shows are the gateway's.
    const contents = (name: string) => item(name).getByTestId('collection-contents');
    await contents('Console refunds').filter({ hasText: '2 prompts' }).waitFor();
    await contents('Console desk').filter({ hasText: '1 child collection' }).waitFor();
    const response = await fetch(`${gateway.base}/collections`, {
      headers: { 'x-portkey-api-key': adminKey },
    });
    const listed = (await response.json()) as {
      total: number;
      data: {
        id: string;
        name: string;
        parent_collection_id: string | null;
        collection_details: { prompts_count: number; child_collections_count: number };
      }[];
    };
    const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
    for (const collection of listed.data) {
      const { prompts_count: held, child_collections_count: children } = collection.collection_details;
      expect(await contents(collection.name).textContent()).toBe(
        `${plural(held, 'prompt')}, ${plural(children, 'child collection')}`,
      );
    }
    const [desk, refunds] = listed.data;
    expect(
      listed.data.map((each) => [
        each.name,
        each.collection_details.prompts_count,
        each.collection_details.child_collections_count,
      ]),
    ).toEqual([
      ['Console desk', 0, 1],
      ['Console refunds', 2, 0],
    ]);
    expect(refunds?.parent_collection_id).toBe(desk?.id);

    // The list filtered by a collection: its own prompts only.
    const filter = prompts.getByLabel('Filter by collection');
    await filter.selectOption({ label: 'Console desk / Console refunds' });
    await promptRow(elsewhere).waitFor({ state: 'detached' });
    expect(await table.locator('tbody tr td.mono:first-child').allTextContents()).toEqual(
      expect.arrayContaining(['console-filed', loose]),
    );
    expect(await table.locator('tbody tr').count()).toBe(2);
    await filter.selectOption({ label: 'Console desk' });
    await table.getByText('None in Console desk.').waitFor();
    await expectNoSeriousViolations('prompt-collections');
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, '06d-prompt-collections');
    await filter.selectOption({ label: 'All collections' });
    await promptRow(elsewhere).waitFor();

    // A collection that holds another is not deleted: the view shows the gateway's 409 as it says it.
    const [refused] = await Promise.all([
      page.waitForResponse(
        (answer) =>
          answer.request().method() === 'DELETE' && answer.url().includes('/console/api/collections/'),
      ),
      item('Console desk').getByRole('button', { name: 'Delete collection Console desk' }).click(),
    ]);
    expect(dialogs.at(-1)).toBe('confirm: Delete the collection Console desk?');
    expect(refused.status()).toBe(409);
    const { message } = ((await refused.json()) as { error: { message: string } }).error;
    expect(message).toContain('holds 0 prompt(s) and 1 collection(s)');
    await section.getByRole('alert').getByText(message, { exact: true }).waitFor();

    // Renamed: the tree and the prompts' rows show the new name, which the gateway keeps.
    await item('Console refunds').getByRole('button', { name: 'Rename collection Console refunds' }).click();
    const rename = section.getByRole('form', { name: 'Rename collection Console refunds' });
    await rename.getByLabel('New name for Console refunds').fill('Console returns');
    await rename.getByRole('button', { name: 'Save name' }).click();
    await item('Console returns').waitFor();
    await promptRow('console-filed').getByRole('cell', { name: 'Console returns', exact: true }).waitFor();
    expect(await sdk().collections.retrieve(refunds?.id as string)).toMatchObject({
      name: 'Console returns',
    });

    // Emptied (the loose prompt moved out, the other deleted), then both deleted.
    await move.getByLabel('Collection').selectOption({ label: 'None' });
    await move.getByRole('button', { name: 'Move' }).click();
    await move
      .getByRole('status')
      .filter({ hasText: `Moved ${loose} to no collection.` })
      .waitFor();
    await promptRow(loose).getByRole('cell', { name: '-', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Delete console-filed', exact: true }).click();
    await promptRow('console-filed').waitFor({ state: 'detached' });
    await contents('Console returns').filter({ hasText: '0 prompts' }).waitFor();
    await item('Console returns').getByRole('button', { name: 'Delete collection Console returns' }).click();
    await item('Console returns').waitFor({ state: 'detached' });
    await item('Console desk').getByRole('button', { name: 'Delete collection Console desk' }).click();
    await section.getByText('None yet: create one below.').waitFor();
    await section.getByRole('alert').waitFor({ state: 'detached' });
    expect(await sdk().collections.list()).toMatchObject({ total: 0 });
    expect(await sdk().prompts.retrieve(loose)).toMatchObject({ collection_id: null });
    await sdk().prompts.delete(loose);
    await sdk().prompts.delete(elsewhere);
  });

  it('a prompt move the gateway refuses (the prompt deleted meanwhile) is said in the move form by its button, not above the list', async () => {
    const prompt = (await sdk().prompts.create({
      name: 'Console mover',
      string: 'Hello {{who}}.',
      parameters: {},
      model: 'gpt-4o-mini',
    } as unknown as Parameters<Portkey['prompts']['create']>[0])) as unknown as { slug: string };
    const target = (await sdk().collections.create({ name: 'Console destination' } as never)) as unknown as {
      id: string;
    };
    try {
      await page.goto(consoleUrl('/prompts'));
      await page.getByRole('button', { name: `Open ${prompt.slug}`, exact: true }).click();
      const move = page.getByRole('form', { name: `Collection of ${prompt.slug}` });
      await move.getByLabel('Collection').selectOption({ label: 'Console destination' });
      await sdk().prompts.delete(prompt.slug);
      await move.getByRole('button', { name: 'Move' }).click();
      const refusal = move.getByRole('alert');
      await refusal.waitFor();
      expect(await refusal.textContent()).toMatch(/\S/);
      // Only there: the view's own error line (above the list) says nothing.
      expect(await page.getByRole('alert').count()).toBe(1);
    } finally {
      await sdk()
        .prompts.delete(prompt.slug)
        .catch(() => undefined);
      await sdk().collections.delete(target.id as never);
    }
  });

  it('finds SDK requests by a metadata filter, shows the fallback attempts, and the trace as a waterfall', async () => {
    mock.script('console-broken', [{ status: 503, json: openAIError(503, 'upstream overloaded') }]);
    const fallback = {
      strategy: { mode: 'fallback' },
      targets: [direct('console-broken'), direct('gpt-4o-mini')],
    };
    const trace = 'console-trace-1';
    await sdk({
      config: fallback,
      traceID: trace,
      metadata: { _user: 'alice-console', env: 'e2e' },
      spanId: 'span-root',
      spanName: 'checkout',
    }).chat.completions.create({ model: 'gpt-4o-mini', messages });
    await sdk({
      config: direct(),
      traceID: trace,
      metadata: { _user: 'alice-console' },
      spanId: 'span-child',
      parentSpanId: 'span-root',
      spanName: 'summarise',
    }).chat.completions.create({ model: 'gpt-4o-mini', messages });
    // Bob asks for gpt-4o-mini; his config's target calls an alias (a deployment's, a router's),
    // which the provider answers with gpt-4o.
    mock.script('console-alias', [{ json: chatCompletion('gpt-4o') }]);
    for (const [user, asked, called] of [
      ['bob-console', 'gpt-4o-mini', 'console-alias'],
      ['carol-console', 'gpt-4o', 'gpt-4o'],
    ] as const) {
      await sdk({ config: direct(called), metadata: { _user: user } }).chat.completions.create({
        model: asked,
        messages,
      });
    }
    expect(await logsFor('metadata._user=alice-console', adminKey, 2)).toHaveLength(2);
    await logsFor('metadata._user=carol-console', adminKey);

    await page.goto(consoleUrl('/logs'));
    await logRows().first().waitFor();
    expect(await logRows().count()).toBeGreaterThanOrEqual(4);
    await screenshot(page, '06-logs');

    // The filter, typed in the form, goes to the URL (a view can be shared) and to the query API.
    await page.getByLabel('Key', { exact: true }).fill('_user');
    await page.getByLabel('Value', { exact: true }).fill('alice-console');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/metadata\._user=alice-console/);
    await expect.poll(() => logRows().count(), { timeout: 5000 }).toBe(2);
    expect(await logsTable().locator('tbody').textContent()).not.toContain('bob-console');
    await screenshot(page, '07-logs-metadata-filter');
    // Shared: the URL alone gives the same view.
    await page.goto(page.url());
    await expect.poll(() => logRows().count(), { timeout: 5000 }).toBe(2);
    expect(await page.getByLabel('Value', { exact: true }).inputValue()).toBe('alice-console');
    // A time in a shared address that is not one is an error naming it, with no rows (every record
    // would look like the filter's answer).
    await page.goto(consoleUrl('/logs?from=yesterday&metadata._user=bob-console'));
    await page
      .getByRole('alert')
      .filter({ hasText: 'The address has a filter that is not a time: from=yesterday.' })
      .waitFor();
    expect(await logRows().count()).toBe(0);
    // Nor can it be exported: the export would hold every record.
    expect(await page.getByRole('button', { name: 'Export these logs' }).isDisabled()).toBe(true);
    await screenshot(page, '07b-logs-invalid-address-filter');
    // The Model column shows the model called (the config's override: what the Model filter
    // matches), then the one that answered.
    await page.goto(consoleUrl('/logs?model=console-alias&metadata._user=bob-console'));
    await expect.poll(() => logRows().count(), { timeout: 5000 }).toBe(1);
    expect(await logRows().first().textContent()).toContain('console-alias → gpt-4o');
    // A filter the logs API refuses clears the previous filter's rows under its error.
    await page.getByLabel('Status', { exact: true }).fill('abc');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('alert').filter({ hasText: 'status' }).waitFor();
    expect(await logRows().count()).toBe(0);
    await page.goto(consoleUrl('/logs?metadata._user=alice-console'));
    await expect.poll(() => logRows().count(), { timeout: 5000 }).toBe(2);
    // The form offers as many pairs as the logs API takes, then says so.
    const addPair = page.getByRole('button', { name: 'Add metadata pair' });
    for (let clicks = 0; clicks < 20 && (await addPair.isEnabled()); clicks += 1) await addPair.click();
    expect(await page.locator('input[name^="metadata-key-"]').count()).toBe(MAX_LOG_METADATA_FILTERS);
    await page.getByText(`At most ${MAX_LOG_METADATA_FILTERS} metadata pairs.`).waitFor();

    // The fallback request: its attempts, the failed target then the one that answered.
    const [fallbackRecord] = (await logsFor('metadata.env=e2e', adminKey)) as { id: string }[];
    expect(
      await logsTable()
        .locator('tr', { has: page.locator(`a[href="/console/logs/${fallbackRecord?.id}"]`) })
        .locator('td:nth-child(2)')
        .textContent(),
    ).toBe('200 · fallback');
    await page.locator(`a[href="/console/logs/${fallbackRecord?.id}"]`).click();
    await page.getByRole('heading', { name: `Request ${fallbackRecord?.id}` }).waitFor();
    const attempts = page.getByTestId('attempt');
    await attempts.first().waitFor();
    expect(await attempts.count()).toBeGreaterThanOrEqual(2);
    expect(await attempts.first().textContent()).toContain('status 503');
    expect(await attempts.first().textContent()).toContain('config.targets[0]');
    expect(await attempts.last().textContent()).toContain('status 200');
    expect(await attempts.last().textContent()).toContain('config.targets[1]');
    expect(await attempts.last().textContent()).toContain('fallback');
    await expectNoSeriousViolations('request');
    expect(await unreachableByKeyboard(page), 'request').toEqual([]);
    await screenshot(page, '08-request-attempts');

    await page.getByRole('link', { name: `Trace ${trace}` }).click();
    await page.getByRole('heading', { name: `Trace ${trace}` }).waitFor();
    const spans = page.getByTestId('span');
    await spans.nth(1).waitFor();
    expect(await spans.count()).toBe(2);
    expect(await spans.first().textContent()).toContain('checkout');
    expect(await spans.last().textContent()).toContain('summarise');
    // The child span's name sits under its parent's (its bar on the same axis, not indented).
    const indent = await spans.last().locator('.span-head').getAttribute('style');
    expect(indent).toContain('padding-left: 1.25rem');
    await expectNoSeriousViolations('trace');
    await screenshot(page, '09-trace-waterfall');
  });

  it('says where a request’s cost came from and why one has none (the provider’s own charge, the price table’s with its tokens, a model with no price, a cache hit), and a retried request’s tries', async () => {
    const user = `cost-console-${Date.now()}`;
    // OpenRouter reports what it charged in its usage (https://openrouter.ai/docs/use-cases/usage-accounting).
    mock.script('openai/gpt-4o', [
      {
        json: {
          ...chatCompletion('openai/gpt-4o'),
          usage: {
            prompt_tokens: 1000,
            completion_tokens: 200,
            total_tokens: 1200,
            cost: 0.0421,
            is_byok: false,
            cost_details: { upstream_inference_cost: null },
          },
        },
      },
    ]);
    const openrouter = { ...direct('openai/gpt-4o'), provider: 'openrouter' };
    // A model no price table knows, whose first try is refused with a short Retry-After.
    mock.script('house-console-model', [
      { status: 503, headers: { 'retry-after-ms': '10' }, json: openAIError(503, 'upstream overloaded') },
      { json: chatCompletion('house-console-model') },
    ]);
    const retried = {
      ...direct('house-console-model'),
      retry: { attempts: 2, use_retry_after_header: true },
    };
    const cachedQuestion = [{ role: 'user' as const, content: `What does ${user} cost?` }];
    const cached = { cache: { mode: 'simple' }, ...direct('gpt-4o-mini') };
    const cases = [
      ['provider', openrouter, 'openai/gpt-4o', messages],
      ['retried', retried, 'house-console-model', messages],
      // The same question twice with the same metadata (which partitions the cache): a miss, then a hit.
      ['cache', cached, 'gpt-4o-mini', cachedQuestion],
      ['cache', cached, 'gpt-4o-mini', cachedQuestion],
    ] as const;
    for (const [name, config, model, asked] of cases) {
      const answer = await sdk({ config, metadata: { _user: user, case: name } }).chat.completions.create({
        model,
        messages: [...asked],
      });
      expect(answer.choices?.[0]?.message?.content).toBe('The capital of France is Paris.');
    }
    // Upstream: OpenRouter once, the unpriced model twice (the retry), the cached question once.
    expect(mock.forModel('openai/gpt-4o')).toHaveLength(1);
    expect(mock.forModel('house-console-model')).toHaveLength(2);
    expect(
      mock.received.filter((request) => JSON.stringify(request.body).includes(`What does ${user}`)),
    ).toHaveLength(1);
    const recordsOf = (name: string, count = 1) =>
      logsFor(`metadata._user=${user}&metadata.case=${name}`, adminKey, count) as Promise<
        { id: string; cache_status: string }[]
      >;
    const cache = await recordsOf('cache', 2);
    const ids: Record<string, string | undefined> = {
      provider: (await recordsOf('provider'))[0]?.id,
      retried: (await recordsOf('retried'))[0]?.id,
      miss: cache.find((record) => record.cache_status === 'MISS')?.id,
      hit: cache.find((record) => record.cache_status === 'HIT')?.id,
    };

    // The list: each cost as it is (the hit's $0 said as a cache hit), the provider's figure named on hover.
    await page.goto(consoleUrl(`/logs?metadata._user=${user}`));
    await expect.poll(() => logRows().count(), { timeout: 5000 }).toBe(4);
    const costCell = (name: string) =>
      logsTable()
        .locator('tr', { has: page.locator(`a[href="/console/logs/${ids[name]}"]`) })
        .locator('td:nth-child(6)');
    expect(await costCell('provider').textContent()).toBe('$0.0421');
    expect(await costCell('provider').getAttribute('title')).toBe('openrouter: what it reported it charged');
    expect(await costCell('retried').textContent()).toBe('unpriced');
    expect(await costCell('hit').textContent()).toBe('$0 (cache hit)');
    // The status says what the gateway did beyond one try, as Portkey's Status column does.
    const statusCell = (name: string) =>
      logsTable()
        .locator('tr', { has: page.locator(`a[href="/console/logs/${ids[name]}"]`) })
        .locator('td:nth-child(2)');
    expect(await statusCell('retried').textContent()).toBe('200 · 1 retry');
    expect(await statusCell('provider').textContent()).toBe('200');
    // Portkey's cost filter, in its unit (cents): from 1 cent, the OpenRouter request alone; up to 1
    // cent, the priced ones below it; an unpriced request is in neither.
    await page.getByLabel('Cost from (cents)').fill('1');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/cost_min=1/);
    await expect.poll(() => logRows().count(), { timeout: 5000 }).toBe(1);
    expect(await logRows().first().locator('td:nth-child(6)').textContent()).toBe('$0.0421');
    await page.goto(consoleUrl(`/logs?metadata._user=${user}&cost_max=1`));
    await expect.poll(() => logRows().count(), { timeout: 5000 }).toBe(2);
    expect((await logRows().locator('td:nth-child(6)').allTextContents()).sort()).toEqual([
      '$0 (cache hit)',
      '$0.000007',
    ]);
    expect(await page.getByLabel('Cost up to (cents)').inputValue()).toBe('1');

    /** A line of the request's summary, by its label. */
    const summary = (label: string) =>
      page
        .locator('dl.summary > div')
        .filter({ has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) })
        .locator('dd')
        .textContent();
    const open = async (name: string) => {
      await page.goto(consoleUrl(`/logs/${ids[name]}`));
      await page.getByRole('heading', { name: `Request ${ids[name]}` }).waitFor();
    };

    await open('provider');
    expect(await summary('Cost')).toBe('$0.0421');
    expect(await summary('Cost source')).toBe('openrouter: what it reported it charged');
    expect(await summary('Cost status')).toBe(
      'Priced by openrouter for openai/gpt-4o: the cost it reported (usage.cost), not pk’s price of the tokens',
    );
    expect(await summary('Tokens')).toBe('1200 (1000 in, 200 out)');
    await expectNoSeriousViolations('request-cost');
    await screenshot(page, '08b-request-cost-provider');

    await open('miss');
    expect(await summary('Cost source')).toBe('pk’s price table (@pk/prices and the settings’ prices:)');
    expect(await summary('Cost status')).toBe(
      'Priced from 21 tokens (12 in, 9 out) of gpt-4o-mini on openai',
    );
    expect(await summary('Cache')).toBe('Miss: asked the provider, answer stored');

    await open('hit');
    expect(await summary('Cost')).toBe('$0 (cache hit)');
    expect(await summary('Cost source')).toBe('The cache: nothing was sent to a provider');
    expect(await summary('Cache')).toBe('Hit: answered from the cache');
    await page.getByText('Answered from the cache: no attempt, nothing was sent to a provider.').waitFor();

    await open('retried');
    expect(await summary('Cost')).toBe('unpriced');
    expect(await summary('Cost source')).toBe('—');
    expect(await summary('Cost status')).toBe(
      'No price known for model house-console-model on openai: its cost is unknown (not $0). Give it a price in the settings (prices:).',
    );
    expect(await summary('Retries')).toBe('Succeeded on try 2 (1 retry)');
    const attempts = page.getByTestId('attempt');
    await expect.poll(() => attempts.count()).toBe(2);
    expect(await attempts.first().textContent()).toContain('first try');
    expect(await attempts.first().textContent()).toContain('status 503');
    expect(await attempts.last().textContent()).toContain('retry 1');
    expect(await attempts.last().textContent()).toContain('status 200');
    await expectNoSeriousViolations('request-retried');
    await screenshot(page, '08c-request-retried-unpriced');
  });

  it('shows what a Realtime session’s cost is made of (the openai package’s Realtime client): its responses and its input-audio transcriptions, each with its model, what it sums and its cost', async () => {
    const user = `realtime-console-${Date.now()}`;
    // OpenAI's Realtime API on 127.0.0.1, its server events as documented
    // (https://platform.openai.com/docs/api-reference/realtime-server-events).
    const upstream = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(upstream, 'listening');
    const received: string[] = [];
    upstream.on('connection', (socket) => {
      const send = (event: Record<string, unknown>) => socket.send(JSON.stringify(event));
      const session = { id: 'sess_console', object: 'realtime.session', model: 'gpt-realtime' };
      send({ type: 'session.created', event_id: 'event_1', session });
      socket.on('message', (data) => {
        const event = JSON.parse(String(data)) as { type: string; session?: Record<string, unknown> };
        received.push(event.type);
        if (event.type === 'session.update')
          send({ type: 'session.updated', event_id: 'event_2', session: { ...session, ...event.session } });
        if (event.type === 'input_audio_buffer.commit')
          // whisper-1 bills the seconds of audio it transcribed.
          send({
            type: 'conversation.item.input_audio_transcription.completed',
            event_id: 'event_3',
            item_id: 'item_in',
            content_index: 0,
            transcript: 'Quelle est la capitale de la France ?',
            usage: { type: 'duration', seconds: 4.2 },
          });
        if (event.type === 'response.create')
          send({
            type: 'response.done',
            event_id: 'event_4',
            response: {
              object: 'realtime.response',
              id: 'resp_console',
              status: 'completed',
              status_details: null,
              output: [],
              usage: { total_tokens: 150, input_tokens: 100, output_tokens: 50 },
            },
          });
      });
    });
    // The openai package dials wss:// only: TLS in front of the gateway, as a deployment puts it.
    const certDir = mkdtempSync(join(tmpdir(), 'pk-console-tls-'));
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1']
        .concat(['-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'])
        .concat(['-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem')]),
      { stdio: 'ignore' },
    );
    const ca = readFileSync(join(certDir, 'cert.pem'), 'utf8');
    const gatewayPort = Number(new URL(gateway.url).port);
    const terminator = createTlsServer(
      { key: readFileSync(join(certDir, 'key.pem')), cert: ca },
      (secure) => {
        const plain = netConnect(gatewayPort, '127.0.0.1');
        secure.pipe(plain).pipe(secure);
        secure.on('error', () => plain.destroy());
        plain.on('error', () => secure.destroy());
        secure.on('close', () => plain.destroy());
      },
    );
    terminator.listen(0, '127.0.0.1');
    await once(terminator, 'listening');
    try {
      const client = new OpenAI({
        apiKey: PROVIDER_KEY,
        baseURL: `https://localhost:${(terminator.address() as AddressInfo).port}/v1`,
      });
      const headers = createHeaders({
        apiKey: adminKey,
        provider: 'openai',
        customHost: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`,
        metadata: { _user: user },
      }) as Record<string, string>;
      const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime', options: { headers, ca } }, client);
      const next = (type: string) =>
        new Promise<void>((resolve) => rt.on('event', (event) => event.type === type && resolve()));
      await next('session.created');
      const updated = next('session.updated');
      rt.send({
        type: 'session.update',
        session: { input_audio_transcription: { model: 'whisper-1' } },
      } as unknown as Parameters<typeof rt.send>[0]);
      await updated;
      const transcribed = next('conversation.item.input_audio_transcription.completed');
      rt.send({ type: 'input_audio_buffer.commit' });
      await transcribed;
      const done = next('response.done');
      rt.send({ type: 'response.create' });
      await done;
      rt.close({ code: 1000, reason: 'done' });
      expect(received).toEqual(['session.update', 'input_audio_buffer.commit', 'response.create']);

      const [session] = (await logsFor(`metadata._user=${user}`, adminKey)) as { id: string }[];
      await page.goto(consoleUrl(`/logs/${session?.id}`));
      const parts = page.getByRole('table', { name: 'Cost parts' });
      await parts.waitFor();
      const rows = await parts
        .locator('tbody tr')
        .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent)));
      // gpt-realtime: 100 input tokens at $4 per 1M, 50 output at $16 = $0.0012; whisper-1: 4.2 s at
      // $0.006 a minute = $0.00042.
      expect(rows).toEqual([
        ['Responses', 'gpt-realtime', '1 response, 150 tokens', '$0.001200'],
        ['Input audio transcription', 'whisper-1', '1 transcription, 4.2 s of audio', '$0.000420'],
      ]);
      const summary = page
        .locator('dl.summary > div')
        .filter({ has: page.locator('dt', { hasText: /^Cost$/ }) })
        .locator('dd');
      expect(await summary.textContent()).toBe('$0.001620');
      await page.getByText('Priced from its 2 parts (Cost parts, below)').waitFor();
      await expectNoSeriousViolations('request-cost-parts');
      await screenshot(page, '08d-request-cost-parts');
    } finally {
      await new Promise((resolve) => terminator.close(resolve));
      for (const socket of upstream.clients) socket.terminate();
      await new Promise((resolve) => upstream.close(resolve));
      rmSync(certDir, { recursive: true, force: true });
    }
  });

  it('shows new requests as they come with the live tail', async () => {
    await page.goto(consoleUrl('/logs?metadata._user=tail-console'));
    await page.getByText('0 shown').waitFor();
    await page.getByLabel('Live tail').check();
    await sdk({ config: direct(), metadata: { _user: 'tail-console' } }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
    });
    await logRows().first().waitFor({ timeout: 6000 });
    expect(await logRows().count()).toBe(1);
    await page.getByLabel('Live tail').uncheck();
  });

  it('finds the failed requests with the Outcome filter, a stream that failed after its 200 among them, and narrows them by error code', async () => {
    const user = 'failing-console';
    mock.script('console-cut-stream', (request) => ({
      sse: chatChunksCutByServerError(request.model),
      chunkDelayMs: 50,
    }));
    mock.script('console-refused', [{ status: 429, json: openAIError(429, 'Rate limit reached') }]);
    await sdk({ config: direct(), metadata: { _user: user } }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
    });
    const stream = await sdk({
      config: direct('console-cut-stream'),
      metadata: { _user: user },
    }).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    let text = '';
    const cut = await (async () => {
      for await (const chunk of stream) text += chunk.choices?.[0]?.delta?.content ?? '';
    })().then(
      () => undefined,
      (error: Error) => error,
    );
    expect(text).toBe('The capital of F');
    expect(cut?.message).toContain('The server had an error');
    const refused = await sdk({ config: direct('console-refused'), metadata: { _user: user } })
      .chat.completions.create({ model: 'gpt-4o-mini', messages })
      .then(
        () => undefined,
        (error: { status?: number }) => error.status,
      );
    expect(refused).toBe(429);
    await logsFor(`metadata._user=${user}`, adminKey, 3);

    await page.goto(consoleUrl(`/logs?metadata._user=${user}`));
    await expect.poll(() => logRows().count(), { timeout: 5000 }).toBe(3);
    await page.getByLabel('Outcome').selectOption({ label: 'Failed' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/failed=true/);
    await expect.poll(() => logRows().count(), { timeout: 5000 }).toBe(2);
    const statuses = await logRows().locator('td:nth-child(2)').allTextContents();
    expect(statuses.sort()).toEqual(['200 · server_error', '429']);
    await screenshot(page, '07b-logs-failed');
    await page.getByLabel('Error code').fill('server_error');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/error_code=server_error/);
    await expect.poll(() => logRows().count(), { timeout: 5000 }).toBe(1);
    expect(await logRows().first().locator('td:nth-child(2)').textContent()).toBe('200 · server_error');
    // The request's own view links to every request with its error code (any user).
    await logRows().first().locator('td:first-child a').click();
    await page.getByRole('heading', { name: /^Request / }).waitFor();
    await page.getByRole('link', { name: 'Requests with error code server_error' }).click();
    await page.waitForURL(/\/console\/logs\?error_code=server_error$/);
    expect(await page.getByLabel('Error code').inputValue()).toBe('server_error');
    await expect.poll(() => logRows().count(), { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    expect(await page.getByLabel('Value', { exact: true }).inputValue()).toBe('');
    // The succeeded ones: the one plain answer.
    await page.goto(consoleUrl(`/logs?metadata._user=${user}&failed=false`));
    await expect.poll(() => logRows().count(), { timeout: 5000 }).toBe(1);
    expect(await page.getByLabel('Outcome').inputValue()).toBe('false');
    expect(await logRows().first().locator('td:nth-child(2)').textContent()).toBe('200');
  });

  it('renders hostile metadata as inert text (no markup, no script)', async () => {
    await sdk({ config: direct(), metadata: { _user: XSS, note: XSS } }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
    });
    const [record] = (await logsFor(`metadata.note=${encodeURIComponent(XSS)}`, adminKey)) as {
      id: string;
    }[];
    await page.goto(consoleUrl(`/logs?metadata.note=${encodeURIComponent(XSS)}`));
    await logRows().first().waitFor();
    expect(await logsTable().locator('tbody').textContent()).toContain(XSS);
    await page.locator(`a[href="/console/logs/${record?.id}"]`).click();
    await page.getByRole('row', { name: `note ${XSS}` }).waitFor();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate('document.querySelectorAll("[onerror]").length')).toBe(0);
    await screenshot(page, '10-xss-inert');
    expect(dialogs.filter((dialog) => dialog.startsWith('alert'))).toEqual([]);
  });

  it('opens the trace of the longest trace id the gateway keeps (256 characters, / and %) from its request, neither page wider than the window', async () => {
    const traceId = `${'t/%'.repeat(85)}t`;
    await sdk({ config: direct(), traceID: traceId }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
    });
    const [record] = (await logsFor(`trace_id=${encodeURIComponent(traceId)}`, adminKey)) as { id: string }[];
    const pageWidths = () =>
      page.evaluate(
        '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
      ) as Promise<[number, number]>;
    await page.goto(consoleUrl(`/logs/${record?.id}`));
    await page.getByRole('link', { name: `Trace ${traceId}` }).click();
    await page.getByRole('heading', { name: `Trace ${traceId}` }).waitFor();
    await page.getByRole('list', { name: 'Spans' }).getByRole('link').waitFor();
    const [traceWidth, window] = await pageWidths();
    expect(traceWidth).toBeLessThanOrEqual(window);
    await page.goBack();
    await page.getByRole('link', { name: `Trace ${traceId}` }).waitFor();
    const [requestWidth] = await pageWidths();
    expect(requestWidth).toBeLessThanOrEqual(window);
  });

  it('shows analytics with a chart, new metrics and groups, and the period’s outcomes (cache, rescued, feedback)', async () => {
    // Its own session and records, whichever tests ran before it (or none, with -t).
    await signIn(adminKey);
    // What this test guarantees (earlier tests made requests too): one request a fallback rescued,
    // one cache hit (a miss, then the same request again), one piece of feedback.
    const user = 'analytics-console';
    const trace = `analytics-console-${Date.now()}`;
    await sdk({
      config: { strategy: { mode: 'fallback' }, targets: [direct('fail-503'), direct('gpt-4o-mini')] },
      traceID: trace,
      metadata: { _user: user },
    }).chat.completions.create({ model: 'gpt-4o-mini', messages });
    const cached = [{ role: 'user' as const, content: `Analytics cache question ${trace}` }];
    for (let i = 0; i < 2; i += 1) {
      await sdk({
        config: { cache: { mode: 'simple' }, ...direct('gpt-4o-mini') },
        metadata: { _user: user },
      }).chat.completions.create({ model: 'gpt-4o-mini', messages: cached });
    }
    await sdk().feedback.create({ traceID: trace, value: 8, weight: 0.5 });
    // A stream the provider cuts with server_error after its 200, for the grouping by error code
    // (its own, so this test does not need the Outcome filter's test to have run first).
    mock.script('analytics-cut-stream', (request) => ({
      sse: chatChunksCutByServerError(request.model),
      chunkDelayMs: 10,
    }));
    const stream = await sdk({
      config: direct('analytics-cut-stream'),
      metadata: { _user: user },
    }).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    const cut = await (async () => {
      for await (const _chunk of stream);
    })().then(
      () => undefined,
      (error: Error) => error,
    );
    expect(cut?.message).toContain('The server had an error');
    const records = (await logsFor(`metadata._user=${user}`, adminKey, 4)) as {
      status: number;
      cache_status: string | null;
      error_code: string | null;
      attempts: { status: number }[];
    }[];
    expect(records.map((record) => record.status)).toEqual([200, 200, 200, 200]);
    expect(records.filter((record) => record.error_code === 'server_error')).toHaveLength(1);
    expect(records.map((record) => record.cache_status)).toEqual(expect.arrayContaining(['HIT', 'MISS']));
    expect(
      records.some((record) => record.attempts.map((attempt) => attempt.status).join() === '503,200'),
    ).toBe(true);

    // The figures the panel must show: Portkey's routes over a range holding every record of the run.
    const range = new URLSearchParams({
      time_of_generation_min: new Date(Date.now() - 24 * 3600_000).toISOString(),
      time_of_generation_max: new Date(Date.now() + 60_000).toISOString(),
    });
    const summaryOf = async (route: string) => {
      const response = await fetch(`${gateway.base}/analytics/${route}?${range}`, {
        headers: { 'x-portkey-api-key': adminKey },
      });
      expect(response.status, route).toBe(200);
      return ((await response.json()) as { summary: Record<string, number> }).summary;
    };
    const cache = await summaryOf('summary/cache');
    const rescued = await summaryOf('graphs/requests/rescued');
    const feedback = await summaryOf('graphs/feedbacks');
    const weighted = await summaryOf('graphs/feedbacks/weighted');
    expect(cache.hits).toBeGreaterThanOrEqual(1);
    expect(rescued.fallback).toBeGreaterThanOrEqual(1);
    expect(feedback.total).toBeGreaterThanOrEqual(1);
    const decimal = (value: number | undefined) =>
      (value ?? Number.NaN).toLocaleString('en-US', { maximumFractionDigits: 2 });

    await page.goto(consoleUrl('/analytics'));
    await page.locator('.chart canvas').first().waitFor();
    await page.getByRole('cell', { name: 'gpt-4o-mini', exact: true }).waitFor();

    // The panel reads the console API's answers (`/console/api/analytics/...`, behind the session).
    const panel = page.getByRole('region', { name: 'Outcomes over the period' });
    const outcome = (term: string) =>
      panel
        .locator('dl > div')
        .filter({ has: page.locator('dt', { hasText: new RegExp(`^${term}$`) }) })
        .locator('dd');
    const shown = async (term: string) => (await outcome(term).textContent()) ?? '';
    expect(Number(await shown('Cache hits'))).toBeGreaterThanOrEqual(1);
    expect(await shown('Cache hits')).toBe(String(cache.hits));
    expect(await shown('Average latency of a hit')).toBe(`${decimal(cache.avg_latency)} ms`);
    expect(await shown('Speed-up of a hit')).toMatch(
      new RegExp(`^${decimal(Math.abs(cache.cache_speedup ?? 0))}% (faster|slower) than the other requests$`),
    );
    expect(Number(await shown('Rescued by a fallback'))).toBeGreaterThanOrEqual(1);
    expect(await shown('Rescued by a fallback')).toBe(String(rescued.fallback));
    expect(await shown('Rescued by retries')).toBe(String(rescued.retry));
    expect(Number(await shown('Feedback given'))).toBeGreaterThanOrEqual(1);
    expect(await shown('Feedback given')).toBe(String(feedback.total));
    expect(await shown('Average weighted value')).toBe(decimal(weighted.avg));
    expect(await panel.getByRole('alert').count()).toBe(0);

    // A new metric and a new group: p99 latency by status, drawn, with its totals.
    const byStatus = await fetch(
      `${gateway.base}/analytics/summary?group_by=status&from=${encodeURIComponent(range.get('time_of_generation_min') ?? '')}`,
      { headers: { 'x-portkey-api-key': adminKey } },
    );
    const okRequests = (
      (await byStatus.json()) as { data: { group: string | null; requests: number }[] }
    ).data
      .filter((row) => row.group === '200')
      .reduce((sum, row) => sum + row.requests, 0);
    expect(okRequests).toBeGreaterThanOrEqual(3);
    await page.getByLabel('Metric').selectOption('latency_p99_ms');
    await page.getByLabel('Group by').selectOption('status');
    const chart = page.getByRole('img', { name: 'Latency p99 (ms) over time by status' });
    await chart.locator('canvas').first().waitFor();
    await chart.locator('.u-legend').getByText('200', { exact: true }).waitFor();
    const totals = page.getByRole('table', { name: 'Totals by status' });
    await totals.getByRole('cell', { name: '200', exact: true }).waitFor();
    const okRow = totals
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name: '200', exact: true }) });
    expect(await okRow.getByRole('cell').nth(1).textContent()).toBe(String(okRequests));
    // By error code: the stream cut with the provider's server_error (this test's own).
    const byCode = await fetch(
      `${gateway.base}/analytics/summary?group_by=error_code&from=${encodeURIComponent(range.get('time_of_generation_min') ?? '')}`,
      { headers: { 'x-portkey-api-key': adminKey } },
    );
    const serverErrors = (
      (await byCode.json()) as { data: { group: string | null; requests: number }[] }
    ).data
      .filter((row) => row.group === 'server_error')
      .reduce((sum, row) => sum + row.requests, 0);
    expect(serverErrors).toBeGreaterThanOrEqual(1);
    await page.getByLabel('Group by').selectOption('error_code');
    const codes = page.getByRole('table', { name: 'Totals by error code' });
    const serverErrorRow = codes
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name: 'server_error', exact: true }) });
    await serverErrorRow.waitFor();
    expect(await serverErrorRow.getByRole('cell').nth(1).textContent()).toBe(String(serverErrors));
    await expectNoSeriousViolations('analytics');
    await screenshot(page, '11-analytics');
    // Grouped by a metadata key not yet typed: no figures of the last grouping under its caption.
    await page.getByLabel('Group by').selectOption('metadata');
    await page.getByRole('status').filter({ hasText: 'Type the metadata key to group by' }).waitFor();
    expect(
      await page
        .getByRole('table', { name: /^Totals by/ })
        .locator('tbody tr')
        .count(),
    ).toBe(0);
    await page.getByLabel('Group by').selectOption('error_code');
    await serverErrorRow.waitFor();
    // The Analytics link followed from this view shows its defaults again, as its address says
    // (a metadata key being chosen, not in the address yet, included).
    await page.getByLabel('Group by').selectOption('metadata');
    expect(new URL(page.url()).search).toBe('?metric=latency_p99_ms');
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Analytics' }).click();
    await page.getByRole('img', { name: 'Requests over time by model' }).waitFor();
    expect(new URL(page.url()).search).toBe('');
    expect(await page.getByLabel('Metric').inputValue()).toBe('requests');
    expect(await page.getByLabel('Group by').inputValue()).toBe('model');
    await page.getByRole('table', { name: 'Totals by model' }).waitFor();
  });

  it('exports the filtered logs from the Logs view: the downloaded JSONL holds exactly the records the view shows, with the default fields', async () => {
    const user = 'export-console';
    for (const [model, who] of [
      ['gpt-4o', user],
      ['gpt-4o-mini', user],
      ['gpt-4o', user],
      ['gpt-4o', 'other-export-console'],
    ] as const) {
      await sdk({ config: direct(model), metadata: { _user: who } }).chat.completions.create({
        model,
        messages,
      });
    }
    await logsFor('metadata._user=other-export-console', adminKey);
    expect(await logsFor(`metadata._user=${user}`, adminKey, 3)).toHaveLength(3);
    const matching = (await logsFor(`metadata._user=${user}&model=gpt-4o`, adminKey, 2)) as { id: string }[];
    expect(matching).toHaveLength(2);

    await page.goto(consoleUrl('/logs'));
    await page.getByLabel('Model', { exact: true }).fill('gpt-4o');
    await page.getByLabel('Key', { exact: true }).fill('_user');
    await page.getByLabel('Value', { exact: true }).fill(user);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/model=gpt-4o&metadata\._user=export-console/);
    await expect.poll(() => logRows().count(), { timeout: 5000 }).toBe(2);
    const shown = await logRows()
      .locator('a[href^="/console/logs/"]')
      .evaluateAll((links) => links.map((link) => link.getAttribute('href')?.split('/').pop()));
    expect(shown.sort()).toEqual(matching.map((record) => record.id).sort());

    // The view's filter becomes the export's (Portkey's names), started at once; the table follows it.
    await page.getByRole('button', { name: 'Export these logs' }).click();
    const row = page
      .getByRole('table', { name: 'Exports' })
      .getByRole('row')
      .filter({ hasText: `model=gpt-4o, metadata._user=${user}` });
    await row.getByRole('cell', { name: 'success', exact: true }).waitFor({ timeout: 15_000 });
    await row.getByRole('cell', { name: '2 records', exact: true }).waitFor();
    await expectNoSeriousViolations('logs-exports');
    expect(await unreachableByKeyboard(page), 'logs-exports').toEqual([]);
    await screenshot(page, '13-logs-export');

    // Download: the signed link, opened by the page, is the JSONL file (an attachment).
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('button', { name: /^Download / }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^pk-logs-[\w-]+\.jsonl$/);
    expect(download.url()).toMatch(new RegExp(`^${gateway.url}/v1/logs/exports/[\\w-]+/file\\?token=`));
    const text = readFileSync((await download.path()) as string, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.id).sort()).toEqual(shown);
    for (const line of lines) {
      expect(Object.keys(line)).toEqual([
        'id',
        'trace_id',
        'created_at',
        'ai_org',
        'ai_model',
        'req_units',
        'res_units',
        'total_units',
        'cost',
        'cost_currency',
        'response_time',
        'response_status_code',
        'metadata',
      ]);
      expect(line).toMatchObject({
        ai_model: 'gpt-4o',
        metadata: { _user: user },
        response_status_code: 200,
      });
    }

    // Delete (after asking): gone from the table and from the API.
    await row.getByRole('button', { name: /^Delete / }).click();
    await row.waitFor({ state: 'detached' });
    const left = await fetch(`${gateway.base}/logs/exports`, { headers: { 'x-portkey-api-key': adminKey } });
    expect(((await left.json()) as { total: number }).total).toBe(0);
  });

  it('says plainly that the gateway cannot be reached, with no endless Loading…, and Retry loads the view again', async () => {
    await page.goto(consoleUrl('/virtual-keys'));
    await page.getByRole('table', { name: 'Virtual keys' }).waitFor();
    // As if the gateway had stopped: every call of the console's API gets no answer at all.
    await page.route('**/console/api/**', (route) => route.abort('connectionrefused'));
    try {
      await page.getByRole('link', { name: 'Configs' }).click();
      await page.getByRole('alert').filter({ hasText: 'The gateway cannot be reached' }).first().waitFor();
      expect(await page.getByText('Loading…').count()).toBe(0);
      expect(await page.content()).not.toContain('Failed to fetch');
      await screenshot(page, '23-gateway-unreachable');
    } finally {
      await page.unroute('**/console/api/**');
    }
    await page.getByRole('button', { name: 'Retry' }).first().click();
    await page.getByRole('table', { name: 'Saved configs' }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  // One test per view: each loads its view, runs axe and walks the tab order (seconds apiece on a
  // busy machine, so one test for all nine outran its time limit).
  for (const path of [
    '/logs',
    '/analytics',
    '/virtual-keys',
    '/integrations',
    '/configs',
    '/breakers',
    '/guardrails',
    '/prompts',
    '/gateway-keys',
  ]) {
    it(`${path} passes axe (no serious or critical violation) and every control on it is reachable by keyboard`, async () => {
      await page.goto(consoleUrl(path));
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      await expectNoSeriousViolations(path);
      expect(await unreachableByKeyboard(page), path).toEqual([]);
      expect(pageErrors).toEqual([]);
      expect(dialogs.filter((dialog) => !dialog.startsWith('confirm'))).toEqual([]);
    });
  }

  it('a user key sees its tenant’s logs only, never another tenant’s', async () => {
    for (const [key, user] of [
      [userKeyA, 'tenant-a-user'],
      [userKeyB, 'tenant-b-user'],
    ] as const) {
      await new Portkey({
        apiKey: key,
        baseURL: gateway.base,
        config: direct(),
        metadata: { _user: user },
      }).chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
      });
    }
    const [recordB] = (await logsFor('metadata._user=tenant-b-user', adminKey)) as { id: string }[];
    await logsFor('metadata._user=tenant-a-user', adminKey);
    await signIn(userKeyA);
    await page.goto(consoleUrl('/logs'));
    await logRows().first().waitFor();
    const table = (await logsTable().locator('tbody').textContent()) ?? '';
    expect(table).toContain('tenant-a-user');
    expect(table).not.toContain('tenant-b-user');
    expect(table).not.toContain('alice-console');
    await screenshot(page, '12-user-key-own-tenant');
    await page.goto(consoleUrl(`/logs?metadata._user=tenant-b-user`));
    await page.getByText('0 shown').waitFor();
    // Another tenant's record answers 404, as if it did not exist.
    await page.goto(consoleUrl(`/logs/${recordB?.id}`));
    await page.getByRole('alert').getByText('no log record has this id').waitFor();
    // The management views say what this key may use instead.
    await page.goto(consoleUrl('/configs'));
    await page.getByRole('heading', { name: 'What this key may use' }).waitFor();
    await expectNoSeriousViolations('user-catalog');
  });

  it('signs out, and the console asks for a key again', async () => {
    await page.goto(consoleUrl('/logs'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Gateway key').waitFor();
    expect(await context.cookies()).toEqual([]);
  });
});

async function expectNoSeriousViolations(view: string): Promise<void> {
  const violations = await seriousViolations(page);
  expect(violations, `${view}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
}
