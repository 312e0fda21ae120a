import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listWorkspacePackages, REPO_ROOT } from './workspace.js';

// Changesets are read by `changeset version` from their YAML front matter; a formatter that
// rewrites `---` blocks (Biome's Markdown formatter does) silently breaks releases.
const folder = join(REPO_ROOT, '.changeset');
const published = new Set(
  listWorkspacePackages()
    .filter((pkg) => !pkg.private)
    .map((pkg) => pkg.name),
);
const changesets = readdirSync(folder).filter((name) => name.endsWith('.md') && name !== 'README.md');

describe('changesets', () => {
  it.each(changesets)('%s has front matter naming published packages and a bump', (name) => {
    const text = readFileSync(join(folder, name), 'utf8');
    const match = /^---\n([\s\S]*?)\n---\n\n\S/.exec(text);
    expect(match, 'front matter between --- lines, then a summary').not.toBeNull();
    const entries = (match?.[1] ?? '').split('\n');
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) {
      const line = /^"(@pk\/[a-z-]+)": (major|minor|patch)$/.exec(entry);
      expect(line, entry).not.toBeNull();
      expect(published.has(line?.[1] ?? '')).toBe(true);
    }
  });
});
