import { accessSync, constants, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * Chromium for the browser tests: `PK_CHROMIUM_PATH`, else `chromium` (Debian's package) or
 * `chromium-browser` / `google-chrome` on the PATH. Browsers cannot be downloaded here, so
 * playwright-core drives the system's.
 */
export function findChromium(): string | undefined {
  const given = process.env.PK_CHROMIUM_PATH;
  if (given) return given;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      const path = join(dir, name);
      try {
        accessSync(path, constants.X_OK);
        return path;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/**
 * Chromium for a browser test file: its path, or `undefined` outside CI when there is none (the
 * file's browser tests are then skipped, with a warning naming `what`). With `CI=true` a missing
 * Chromium is a failure: the browser tests never pass by being skipped.
 */
export function chromiumForTests(what: string): string | undefined {
  const path = findChromium();
  if (path !== undefined) return path;
  if (process.env.CI === 'true') {
    throw new Error(
      'Chromium is missing: install Debian’s chromium package (apt-get install -y chromium) or set PK_CHROMIUM_PATH',
    );
  }
  console.warn(`${what} skipped: no Chromium (apt-get install chromium, or PK_CHROMIUM_PATH)`);
  return undefined;
}

/** Headless Chromium with a fresh profile (playwright's launch makes a temporary one), no network of its own. */
export async function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Where the flows' screenshots go (gitignored): `apps/gateway/test-artifacts/console`. */
export const SCREENSHOT_DIR = new URL('../../test-artifacts/console/', import.meta.url).pathname;

/** Saves a full-page screenshot of the flow as a test artefact; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** An axe-core violation, as the tests report it. */
export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: string[];
}

/**
 * Runs axe-core on the page (WCAG 2 A and AA rules) and returns its serious and critical violations.
 * The script is evaluated through the DevTools protocol, which the page's CSP does not govern (the
 * console's own CSP stays on: no inline script could be added).
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(`${axeSource}\n;undefined`);
  const violations = (await page.evaluate(`
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
      .then((result) => result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
      })))
  `)) as AxeViolation[];
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/**
 * Presses Tab until focus comes back round and returns the focusable controls it never reached
 * (every visible link, button, field and scrollable region must be reachable by keyboard).
 */
export async function unreachableByKeyboard(page: Page, maxTabs = 400): Promise<string[]> {
  await page.evaluate(`(() => {
    let index = 0;
    for (const element of document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')) {
      if (element.getAttribute('tabindex') === '-1' || element.disabled) continue;
      const box = element.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      element.setAttribute('data-pk-focus-id', String(index++));
    }
    window.__pkReached = new Set();
    document.addEventListener('focusin', (event) => {
      const id = event.target.getAttribute && event.target.getAttribute('data-pk-focus-id');
      if (id !== null) window.__pkReached.add(id);
    });
  })()`);
  await page.evaluate('document.activeElement && document.activeElement.blur()');
  const total = (await page.evaluate('document.querySelectorAll("[data-pk-focus-id]").length')) as number;
  for (let tab = 0; tab < Math.min(maxTabs, total * 2 + 5); tab += 1) {
    await page.keyboard.press('Tab');
    if (((await page.evaluate('window.__pkReached.size')) as number) >= total) break;
  }
  return (await page.evaluate(`[...document.querySelectorAll('[data-pk-focus-id]')]
    .filter((element) => !window.__pkReached.has(element.getAttribute('data-pk-focus-id')))
    .map((element) => element.outerHTML.slice(0, 120))`)) as string[];
}
