import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createConsoleAssets } from './console-assets.js';
import { readCookie, sessionCookie } from './cookies.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function builtConsole(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pk-console-assets-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="app"></div>');
  writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
  return dir;
}

describe('the console’s files', () => {
  it('are not looked for before the first request', async () => {
    const dir = builtConsole();
    let resolved = 0;
    const assets = createConsoleAssets(() => {
      resolved += 1;
      return dir;
    });
    expect(resolved).toBe(0);
    await assets.get('');
    await assets.get('assets/index-abc.js');
    expect(resolved).toBe(1);
  });

  it('serves listed files, index.html for views, and nothing else', async () => {
    const assets = createConsoleAssets(() => builtConsole());
    expect((await assets.get('assets/index-abc.js'))?.body.toString()).toBe('console.log(1)');
    expect(await assets.get('assets/index-abc.js')).toMatchObject({
      contentType: 'text/javascript; charset=utf-8',
      immutable: true,
    });
    expect(await assets.get('logs/log_1')).toMatchObject({
      contentType: 'text/html; charset=utf-8',
      immutable: false,
    });
    expect(await assets.get('traces/a.b.c')).toMatchObject({ contentType: 'text/html; charset=utf-8' });
    expect(await assets.get('assets/missing.js')).toBeUndefined();
    expect(await assets.get('assets/../../../etc/passwd')).toBeUndefined();
  });

  it('answers nothing when the console is not built, and tries again later', async () => {
    let dir = join(tmpdir(), 'pk-console-not-built');
    const assets = createConsoleAssets(() => dir);
    await expect(assets.get('')).rejects.toThrow();
    dir = builtConsole();
    expect(await assets.get('')).toBeDefined();
  });
});

describe('the session cookie', () => {
  it('is HttpOnly, SameSite=Strict, scoped to /console; Secure over HTTPS', () => {
    expect(sessionCookie('t', 43200, false)).toBe(
      'pk_console=t; Path=/console; HttpOnly; SameSite=Strict; Max-Age=43200',
    );
    expect(sessionCookie('t', 1, true)).toContain('; Secure');
  });

  it('is read from a Cookie header among others', () => {
    expect(readCookie('a=1; pk_console=abc; b=2', 'pk_console')).toBe('abc');
    expect(readCookie('pk_console_x=1', 'pk_console')).toBeUndefined();
    expect(readCookie(undefined, 'pk_console')).toBeUndefined();
  });
});
