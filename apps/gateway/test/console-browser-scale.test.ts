import { openStore } from '@pk/store';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumForTests, launchChromium, screenshot, seriousViolations } from './support/browser.js';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';
import { temporaryDataDir } from './support/store-fixtures.js';

// The console in Chromium (Debian's, driven by playwright-core) against the BUILT gateway, with
// records the way a busy gateway has them, sent with the portkey-ai SDK's logs.create: a burst
// beyond what one poll of the live tail reads, a trace of 150 nested calls, a model with no price,
// a user id with a right-to-left override. Its own gateway and store: hundreds of records would
// change what console-browser.test.ts's views show (and how many links its keyboard check tabs).
const chromiumPath = chromiumForTests('console browser tests at scale');
const run = chromiumPath !== undefined;

let gateway: FeatureGateway;
let dataDir: { path: string; remove(): void };
let browser: Browser;
let context: BrowserContext;
let page: Page;
let adminKey: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!run) return;
  dataDir = temporaryDataDir();
  const store = await openStore({ dataDir: dataDir.path, serve: false, onWarning: () => undefined });
  adminKey = (
    await store.gatewayKeys.create({ id: 'scale-admin', name: 'scale admin', role: 'admin' }, 'cli')
  ).secret;
  await store.close();
  gateway = await startFeatureGateway({ settings: {}, env: { PK_DATA_DIR: dataDir.path } });
  browser = await launchChromium(chromiumPath as string);
  context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(12_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      pageErrors.push(message.text());
    }
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

const consoleUrl = (path = '') => `${gateway.url}/console${path}`;
const sdk = () => new Portkey({ apiKey: adminKey, baseURL: gateway.base });

/** Waits until the log store answers `query` with `count` records (every page of it). */
async function storedCount(query: string, count: number): Promise<number> {
  const until = Date.now() + 10_000;
  for (;;) {
    let stored = 0;
    let cursor: string | null = null;
    do {
      const response = await fetch(
        `${gateway.base}/logs?${query}&limit=500${cursor ? `&cursor=${cursor}` : ''}`,
        { headers: { 'x-portkey-api-key': adminKey } },
      );
      const body = (await response.json()) as { data: unknown[]; next_cursor: string | null };
      stored += body.data.length;
      cursor = body.next_cursor;
    } while (cursor);
    if (stored >= count || Date.now() > until) return stored;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A custom log (Portkey's `POST /v1/logs`) of a chat completion. */
const customLog = (metadata: Record<string, string>, options: { model?: string; usage?: boolean } = {}) => ({
  request: {
    url: '/v1/chat/completions',
    method: 'POST',
    provider: 'openai',
    body: { model: options.model ?? 'gpt-4o-mini' },
  },
  response: {
    status: 200,
    response_time: 5,
    body:
      options.usage === false
        ? {}
        : { usage: { prompt_tokens: 1000, completion_tokens: 1000, total_tokens: 2000 } },
  },
  metadata,
});

async function expectNoSeriousViolations(view: string): Promise<void> {
  const violations = await seriousViolations(page);
  expect(violations, `${view}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
}

/** The logs view's table of requests, and its data rows (the virtual table's spacers left out). */
const logRows = () =>
  page.getByRole('table', { name: 'Requests, newest first' }).locator('tbody tr:not(.spacer)');

describe.runIf(run)('the console in Chromium at scale', () => {
  it('shows every record of a burst that came between two polls of the live tail: beyond what a poll reads, a notice whose Load them brings the rest, none twice', async () => {
    const burst = `tail-burst-${Date.now()}`;
    const custom = (n: number) => customLog({ burst, n: String(n) });
    const portkey = sdk();
    expect(await portkey.logs.create(custom(0) as never)).toBe('ok');
    expect(await storedCount(`metadata.burst=${burst}`, 1)).toBe(1);
    await page.goto(consoleUrl(`/logs?metadata.burst=${burst}`));
    await page.getByText('1 shown').waitFor();
    // 700 more, all stored before the tail's next poll (the probe's 300 showed as 50).
    for (let from = 1; from <= 700; from += 100)
      expect(
        await portkey.logs.create(Array.from({ length: 100 }, (_, i) => custom(from + i)) as never),
      ).toBe('ok');
    const stored = await storedCount(`metadata.burst=${burst}`, 701);
    expect(stored).toBe(701);
    await page.getByLabel('Live tail').check();
    // One poll reads 500 of the 700: the rest is named, not dropped.
    const gap = page.getByTestId('tail-gap');
    await gap.waitFor({ timeout: 6000 });
    await page.getByText('501 shown').waitFor();
    await expectNoSeriousViolations('logs-tail-gap');
    await screenshot(page, '07c-logs-tail-gap');
    await gap.getByRole('button', { name: 'Load them' }).click();
    await page.getByText('701 shown').waitFor();
    expect(await gap.count()).toBe(0);
    // Later polls add nothing twice.
    await page.waitForTimeout(2500);
    expect(await page.getByText('701 shown').count()).toBe(1);
    await page.getByLabel('Live tail').uncheck();
  });

  it('reaches Load more and Export these logs by keyboard past a table of 130 records: the table is one tab stop, arrows move between its rows, Enter opens one', async () => {
    const run = `keyboard-${Date.now()}`;
    for (let from = 0; from < 130; from += 65)
      expect(
        await sdk().logs.create(
          Array.from({ length: 65 }, (_, i) => customLog({ run, n: String(from + i) })) as never,
        ),
      ).toBe('ok');
    expect(await storedCount(`metadata.run=${run}`, 130)).toBe(130);
    await page.goto(consoleUrl(`/logs?metadata.run=${run}`));
    await page.getByText('50 shown, more below').waitFor();
    await page.waitForLoadState('networkidle');
    // What has focus, as the test reads it (this package's tests have no DOM types).
    const focused = () =>
      page.evaluate(
        '(() => { const e = document.activeElement; return e ? e.tagName.toLowerCase() + ":" + (e.getAttribute("aria-label") ?? e.textContent ?? "").trim() : ""; })()',
      ) as Promise<string>;
    // Keyboard only from here: from the Live tail box, one Tab into the table, one out of it.
    await page.getByLabel('Live tail').focus();
    const stops: string[] = [];
    for (let tab = 0; tab < 12 && !stops.includes('button:Export these logs'); tab += 1) {
      await page.keyboard.press('Tab');
      stops.push(await focused());
    }
    expect(stops).toEqual([expect.stringMatching(/^a:/), 'button:Load more', 'button:Export these logs']);
    expect(await page.getByText('50 shown, more below').count()).toBe(1);
    // Load more by keyboard: the next page, focus kept on the button.
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe('button:Load more');
    await page.keyboard.press('Enter');
    await page.getByText('100 shown, more below').waitFor();
    expect(await focused()).toBe('button:Load more');
    // Back into the table: its one stop is the first row's time link; Down moves along the rows.
    await page.keyboard.press('Shift+Tab');
    const firstId = await logRows().first().locator('td:first-child a').getAttribute('href');
    expect(await page.evaluate('document.activeElement.getAttribute("href")')).toBe(firstId);
    for (let i = 0; i < 40; i += 1) await page.keyboard.press('ArrowDown');
    const fortyFirst = (await page.evaluate('document.activeElement.getAttribute("href")')) as string;
    expect(fortyFirst).toMatch(/^\/console\/logs\//);
    expect(fortyFirst).not.toBe(firstId);
    // The row the focus is on is in view, and Tab still leaves the table at once.
    expect(
      await page.evaluate(`(() => {
        const row = document.activeElement.getBoundingClientRect();
        const box = document.querySelector('.table-scroll').getBoundingClientRect();
        return row.top >= box.top && row.bottom <= box.bottom;
      })()`),
    ).toBe(true);
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate('document.activeElement.getAttribute("href")')).toMatch(
      /^\/console\/traces\//,
    );
    await page.keyboard.press('ArrowLeft');
    await expectNoSeriousViolations('logs-keyboard');
    await screenshot(page, 'scale-logs-keyboard');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('button:Load more');
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate('document.activeElement.getAttribute("href")')).toBe(fortyFirst);
    // Enter opens the row's request.
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === fortyFirst);
    await page.getByRole('heading', { name: /^Request / }).waitFor();
  });

  it('keeps a trace of 150 nested calls within the window: names indented up to a cap with their depth shown, every bar visible', async () => {
    const trace = `deep-chain-${Date.now()}`;
    const step = (n: number) =>
      customLog(
        {
          trace_id: trace,
          span_id: `step-${n}`,
          ...(n > 0 ? { parent_span_id: `step-${n - 1}` } : {}),
          span_name: `step ${n}`,
        },
        { usage: false },
      );
    for (let from = 0; from < 150; from += 50)
      expect(await sdk().logs.create(Array.from({ length: 50 }, (_, i) => step(from + i)) as never)).toBe(
        'ok',
      );
    expect(await storedCount(`trace_id=${trace}`, 150)).toBe(150);
    await page.goto(consoleUrl(`/traces/${trace}`));
    const spans = page.getByTestId('span');
    await spans.nth(149).waitFor();
    // (This package's tests have no DOM types: the measure is a string the page evaluates.)
    const layout = (await page.evaluate(`(() => {
      const box = (element) => element ? element.getBoundingClientRect().toJSON() : undefined;
      return {
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
        rows: [...document.querySelectorAll('[data-testid="span"]')].map((row) => ({
          depth: Number(row.dataset.depth),
          head: row.querySelector('.span-head')?.textContent ?? '',
          headHeight: box(row.querySelector('.span-head'))?.height ?? 0,
          bar: box(row.querySelector('.bar')),
          track: box(row.querySelector('.bar-track')),
        })),
      };
    })()`)) as {
      scrollWidth: number;
      clientWidth: number;
      rows: {
        depth: number;
        head: string;
        headHeight: number;
        bar?: { width: number; right: number };
        track?: { width: number; right: number };
      }[];
    };
    // The page does not widen (the probe's was 2,667 px in a 1,400 px window).
    expect(layout.scrollWidth).toBeLessThanOrEqual(layout.clientWidth);
    const deepest = layout.rows.find((row) => row.depth === 149);
    expect(deepest?.head).toMatch(/^depth 149step 149status 200/);
    const first = layout.rows[0];
    for (const row of layout.rows) {
      // One line per head (not a word per line), and a bar inside a track as wide as the first one's.
      expect(row.headHeight, row.head).toBeLessThan(40);
      expect(row.bar?.width ?? 0, row.head).toBeGreaterThan(0);
      expect(row.track?.width, row.head).toBe(first?.track?.width);
      expect((row.bar?.right ?? Number.POSITIVE_INFINITY) - 0.5, row.head).toBeLessThanOrEqual(
        row.track?.right ?? 0,
      );
    }
    await expectNoSeriousViolations('trace-deep');
    await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
    await screenshot(page, '09b-trace-deep');
  });

  it('says “unpriced” for a model with no price, in the analytics totals, the logs table and the request, never $0', async () => {
    const probe = `unpriced-${Date.now()}`;
    expect(
      await sdk().logs.create(
        Array.from({ length: 10 }, () => customLog({ probe }, { model: 'house-unknown-model' })) as never,
      ),
    ).toBe('ok');
    expect(await storedCount(`metadata.probe=${probe}`, 10)).toBe(10);
    await page.goto(consoleUrl('/analytics'));
    const totals = page.getByRole('table', { name: 'Totals by model' });
    const unknown = totals
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name: 'house-unknown-model', exact: true }) });
    await unknown.waitFor();
    expect(await unknown.getByRole('cell').nth(3).textContent()).toBe('unpriced (10 requests)');
    expect(await totals.textContent()).not.toContain('$0.0000');
    await expectNoSeriousViolations('analytics-unpriced');
    await screenshot(page, 'scale-analytics-unpriced');

    await page.goto(consoleUrl(`/logs?metadata.probe=${probe}`));
    await expect.poll(() => logRows().count(), { timeout: 5000 }).toBe(10);
    expect(new Set(await logRows().locator('td:nth-child(6)').allTextContents())).toEqual(
      new Set(['unpriced']),
    );
    await logRows().first().locator('td:first-child a').click();
    const cost = page.locator('dl.summary > div').filter({ has: page.locator('dt', { hasText: /^Cost$/ }) });
    expect(await cost.locator('dd').textContent()).toBe('unpriced');
  });

  it('shows a right-to-left override in a user id as \\u202E, isolated, in the logs table, the filter and the request', async () => {
    const user = `مستخدم \u202eevil.exe-${Date.now()}`;
    const shown = user.replace('\u202e', '\\u202E');
    expect(await sdk().logs.create(customLog({ _user: user, note: `value\u2067x\u2069` }) as never)).toBe(
      'ok',
    );
    expect(await storedCount(`metadata._user=${encodeURIComponent(user)}`, 1)).toBe(1);
    await page.goto(consoleUrl(`/logs?metadata._user=${encodeURIComponent(user)}`));
    await expect.poll(() => logRows().count(), { timeout: 5000 }).toBe(1);
    const cell = logRows().first().locator('td:nth-child(10)');
    expect(await cell.textContent()).toBe(shown);
    expect(await cell.locator('bdi').count()).toBe(1);
    await page
      .getByTestId('bidi-filter')
      .filter({ hasText: `_user ${shown}` })
      .waitFor();
    await expectNoSeriousViolations('logs-rtl');
    await screenshot(page, 'scale-logs-rtl');
    await logRows().first().locator('td:first-child a').click();
    const metadata = page.getByRole('table', { name: 'Metadata' });
    await metadata.getByRole('cell', { name: shown, exact: true }).waitFor();
    await metadata.getByRole('cell', { name: 'value\\u2067x\\u2069', exact: true }).waitFor();
    expect(await page.locator('main').textContent()).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    expect(pageErrors).toEqual([]);
  });
});
