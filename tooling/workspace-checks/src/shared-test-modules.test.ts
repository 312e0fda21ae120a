import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listSourceFiles, listWorkspacePackages, repoPath } from './workspace.js';

/**
 * What a test file can do that would leak into the next file of its worker when files share their
 * loaded modules (`isolate: false`): replace a module or a global for every file after it.
 */
const LEAKS = /\bvi\.(?:mock|doMock|stubGlobal|stubEnv)\(/;

/** The files a suite's config isolates although its others share (`ISOLATED_ALONE`, dev-config's `isolatedAlone`). */
function isolatedFilesOf(config: string): string[] {
  const list = /\bISOLATED_ALONE\s*=\s*\[([^\]]*)\]/.exec(readFileSync(config, 'utf8'))?.[1] ?? '';
  return [...list.matchAll(/'([^']+)'/g)].map((match) => match[1] ?? '');
}

const sharing = listWorkspacePackages().filter((pkg) => {
  const config = join(pkg.dir, 'vitest.config.ts');
  return existsSync(config) && /\bisolate:\s*false\b/.test(readFileSync(config, 'utf8'));
});

describe('suites whose files share loaded modules (isolate: false)', () => {
  it('are the pure-unit packages, the store and the gateway', () => {
    expect(sharing.map((pkg) => pkg.name).sort()).toEqual([
      '@pk/config',
      '@pk/gateway',
      '@pk/guardrails',
      '@pk/headers',
      '@pk/prices',
      '@pk/providers',
      '@pk/store',
      '@pk/workspace-checks',
    ]);
  });

  it.each(sharing.map((pkg) => [pkg.name, pkg] as const))(
    '%s: no test replaces a module or a global, but those it isolates',
    (_name, pkg) => {
      const isolated = new Set(
        isolatedFilesOf(join(pkg.dir, 'vitest.config.ts')).map((file) => join(pkg.dir, file)),
      );
      const leaking = listSourceFiles(pkg.dir)
        .filter((file) => file.endsWith('.test.ts') && !isolated.has(file))
        .filter((file) => LEAKS.test(readFileSync(file, 'utf8')))
        .map(repoPath);
      expect(leaking, 'isolate these files’ package again, or stop them leaking').toEqual([]);
    },
  );
});
