import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale, dist, packageRoot as root, run } from './support/built-package.js';

// The built package, as users load it: the main entry never loads @pk/providers; the CommonJS
// build loads without require() of an ES module (@pk/config, @pk/headers and @pk/providers are ESM-only).
const fixture = (name: string) => join(root, 'test', '__fixtures__', name);

beforeAll(buildIfStale, 180_000);

/** The main entry and every chunk it imports. */
function mainEntryFiles(): string[] {
  const files = ['index.js', 'index.cjs'];
  for (const match of readFileSync(join(dist, 'index.js'), 'utf8').matchAll(/from\s+["']\.\/([^"']+)["']/g)) {
    if (match[1] !== undefined) files.push(match[1]);
  }
  return files;
}

describe('the built package', () => {
  it('the main entry has no import of @pk/providers (ESM and CommonJS, chunks included)', () => {
    for (const file of mainEntryFiles())
      expect(readFileSync(join(dist, file), 'utf8')).not.toContain('@pk/providers');
    expect(readFileSync(join(dist, 'in-process.js'), 'utf8')).toContain('import("@pk/providers")');
    expect(readFileSync(join(dist, 'in-process.cjs'), 'utf8')).toContain('import("@pk/providers")');
  });

  it('importing @pk/sdk never loads @pk/providers (a resolve hook refuses it)', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', fixture('refuse-providers.mjs'), fixture('import-sdk.mjs')],
      {
        cwd: root,
      },
    );
    expect(JSON.parse(stdout)).toMatchObject({ keys: ['x-portkey-virtual-key'], api: 'pk' });
    // The hook does refuse it: the in-process entry needs it on its first request.
    const failed = await run(
      process.execPath,
      ['--import', fixture('refuse-providers.mjs'), fixture('import-sdk.mjs'), 'in-process'],
      { cwd: root },
    ).catch((error: unknown) => error as { stderr: string });
    expect((failed as { stderr: string }).stderr).toContain('@pk/providers must not be loaded');
  });

  it("require('@pk/sdk') from a .cjs file, with require() of ES modules turned off; a $regex config compiles", async () => {
    const { stdout } = await run(
      process.execPath,
      ['--no-experimental-require-module', fixture('require-sdk.cjs')],
      {
        cwd: root,
      },
    );
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(JSON.parse(stdout)).toEqual({
      version,
      headers: ['x-portkey-virtual-key'],
      isOpenAI: true,
      sameClass: true,
      providersAfterRequire: 0,
      answer: 'from cjs',
      regexAnswer: 'from cjs',
    });
  });
});
