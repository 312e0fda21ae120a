import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listWorkspacePackages } from './workspace.js';

const published = listWorkspacePackages().filter((pkg) => !pkg.private);

describe('built packages', () => {
  it.each(published.map((pkg) => [pkg.name, pkg] as const))(
    '%s loads from its exports map with the version injected at build time',
    async (name, pkg) => {
      const { version } = JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8')) as {
        version: string;
      };
      const module = (await import(name)) as { VERSION?: unknown };
      expect(module.VERSION).toBe(version);
    },
  );
});
