import { createRequire } from 'node:module';
import { join } from 'node:path';
import { openStore } from '@pk/store';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumForTests, launchChromium } from './support/browser.js';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';
import { temporaryDataDir } from './support/store-fixtures.js';

// The console in Chromium against the BUILT gateway, over records whose names an admin-key holder
// (or a buggy script) made hostile through the admin API: markup that would run if it were parsed,
// and the longest name a record may have, one unbroken word. Nothing runs, every name shows as
// text, and the page stays usable (its navigation on screen, no sideways scroll).
const chromiumPath = chromiumForTests('console browser tests of hostile names');
const run = chromiumPath !== undefined;

const SCRIPT = '<script>window.__pwned = "script"</script>';
const IMAGE = '<img src=x onerror="window.__pwned = \'img\'">';
const WIDE = `w${'W'.repeat(199)}`;
/** A name stored before names were checked (an upgraded store): a right-to-left override inside. */
const LEGACY = 'legacy invoice\u202Efdp.exe';
/** A right-to-left name a collection may have: without isolation it reorders the text beside it. */
const RTL = 'فواتير ٢٠٢٦';

// better-sqlite3 as @pk/store has it, to write what the store no longer accepts.
const storeRequire = createRequire(createRequire(import.meta.url).resolve('@pk/store'));
const BetterSqlite3 = storeRequire('better-sqlite3') as new (
  path: string,
) => { prepare(sql: string): { run(...values: unknown[]): unknown }; close(): void };

let gateway: FeatureGateway;
let dataDir: { path: string; remove(): void };
let browser: Browser;
let page: Page;
let adminKey: string;
const pageErrors: string[] = [];
const dialogs: string[] = [];

async function create(path: string, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${gateway.base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-portkey-api-key': adminKey },
    body: JSON.stringify(body),
  });
  expect(response.status, `${path}: ${await response.clone().text()}`).toBe(200);
}

beforeAll(async () => {
  if (!run) return;
  dataDir = temporaryDataDir();
  const store = await openStore({ dataDir: dataDir.path, serve: false, onWarning: () => undefined });
  adminKey = (
    await store.gatewayKeys.create({ id: 'hostile-admin', name: 'hostile admin', role: 'admin' }, 'cli')
  ).secret;
  await store.gatewayKeys.create({ id: 'legacy-key', name: 'legacy' }, 'cli');
  await store.configs.create({ slug: 'pc-legacy', name: 'legacy', config: { provider: 'openai' } }, 'cli');
  const legacyCollection = await store.collections.create({ name: 'legacy' }, 'cli');
  await store.close();
  const database = new BetterSqlite3(join(dataDir.path, 'pk.db'));
  database.prepare("update configs set name = ? where slug = 'pc-legacy'").run(LEGACY);
  database.prepare("update gateway_keys set name = ? where id = 'legacy-key'").run(LEGACY);
  database.prepare('update collections set name = ? where id = ?').run(LEGACY, legacyCollection.id);
  database.close();
  gateway = await startFeatureGateway({ settings: {}, env: { PK_DATA_DIR: dataDir.path } });
  for (const [index, name] of [SCRIPT, IMAGE, WIDE].entries()) {
    await create('/virtual-keys', { name, slug: `vk-${index}`, provider: 'openai', key: 'sk-hostile-names' });
    await create('/configs', { name, slug: `pc-${index}`, config: { virtual_key: `vk-${index}` } });
    await create('/guardrails', { name, slug: `gr-${index}`, checks: [{ id: 'pk.pii', parameters: {} }] });
  }
  await create('/collections', { name: RTL });
  browser = await launchChromium(chromiumPath as string);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.setDefaultTimeout(12_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(`${gateway.url}/console/logs`);
  await page.getByLabel('Gateway key').fill(adminKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Views' }).waitFor();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  dataDir?.remove();
});

describe.runIf(run)('the console over records with hostile names', () => {
  it.each([
    ['/virtual-keys', 'Virtual keys'],
    ['/configs', 'Configs'],
    ['/guardrails', 'Guardrails'],
  ])(
    'shows markup in names on %s as text, runs none of it, and stays usable with a 200-character name',
    async (path, title) => {
      await page.goto(`${gateway.url}/console${path}`);
      await page.getByRole('heading', { name: title, level: 1 }).waitFor();
      await page.getByText(SCRIPT, { exact: true }).first().waitFor();
      await page.getByText(IMAGE, { exact: true }).first().waitFor();
      await page.getByText(WIDE, { exact: true }).first().waitFor();
      expect(await page.evaluate('window.__pwned')).toBeUndefined();
      expect(await page.evaluate('document.querySelectorAll("main img, main script").length')).toBe(0);
      // No sideways scroll: the wide name wraps (or is cut) within the page.
      const widths = (await page.evaluate(
        '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
      )) as [number, number];
      expect(widths[0]).toBeLessThanOrEqual(widths[1]);
      // The views stay within reach: another view's link is on screen and works.
      await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Logs' }).click();
      await page.waitForURL(/\/console\/logs/);
      expect(dialogs).toEqual([]);
      expect(pageErrors).toEqual([]);
    },
  );

  it.each([
    ['/configs', 'Configs'],
    ['/gateway-keys', 'Gateway keys'],
  ])(
    'shows a right-to-left override stored in a name before names were checked as \\u202E on %s, isolated',
    async (path, title) => {
      await page.goto(`${gateway.url}/console${path}`);
      await page.getByRole('heading', { name: title, level: 1 }).waitFor();
      await page.getByRole('cell', { name: 'legacy invoice\\u202Efdp.exe', exact: true }).waitFor();
      expect(await page.locator('main').textContent()).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
      expect(pageErrors).toEqual([]);
    },
  );

  it('isolates each collection’s name in the collections tree, a stored \\u202E shown as its escape', async () => {
    await page.goto(`${gateway.url}/console/prompts`);
    await page.getByRole('heading', { name: 'Collections', level: 2 }).waitFor();
    const items = page.getByTestId('collection');
    await items.filter({ hasText: 'legacy invoice' }).waitFor();
    const names = (await items.evaluateAll((elements) =>
      elements.map((element) => element.querySelector('strong bdi')?.textContent ?? null),
    )) as (string | null)[];
    expect(names.sort()).toEqual(['legacy invoice\\u202Efdp.exe', RTL].sort());
    expect(await page.locator('main').textContent()).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    expect(pageErrors).toEqual([]);
  });
});
