import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  deadLinks,
  headingAnchors,
  isRelativeLink,
  linkedPath,
  listMarkdownFiles,
  markdownLinks,
} from './markdown-links.js';
import { listWorkspacePackages, repoPath } from './workspace.js';

// Every relative link of the repository's Markdown (READMEs, docs/, fixture sources; not
// node_modules, dist or .changeset) resolves: to a file or folder that exists, to a heading the
// linked Markdown file has, or to a line within the linked file.
describe('relative links of the repository’s Markdown files', () => {
  it('all resolve', () => {
    const files = listMarkdownFiles();
    expect(files.map(repoPath)).toContain('README.md');
    expect(files.map(repoPath)).toContain('docs/decisions/0004-errors.md');
    const dead = files.flatMap((file) =>
      deadLinks(file).map((link) => `${repoPath(file)}:${link.line} ${link.target} (${link.problem})`),
    );
    expect(dead).toEqual([]);
  });
});

// A published package's README is also read on npm, from the tarball: a relative link must name a
// file the package ships (its `files`), not the rest of the repository.
describe('relative links of the published packages’ READMEs', () => {
  const published = listWorkspacePackages().filter((pkg) => !pkg.private);
  it.each(published.map((pkg) => [pkg.name, pkg] as const))('%s links only files it ships', (_name, pkg) => {
    const readme = join(pkg.dir, 'README.md');
    const shipped = pkg.files ?? [];
    const leaving = markdownLinks(readFileSync(readme, 'utf8'))
      .filter((link) => isRelativeLink(link.target) && !link.target.startsWith('#'))
      .filter((link) => {
        const inside = relative(pkg.dir, linkedPath(readme, link.target));
        return !shipped.includes(inside.split(sep)[0] ?? '');
      })
      .map((link) => `README.md:${link.line} ${link.target}`);
    expect(leaving).toEqual([]);
  });
});

describe('the link check', () => {
  const root = mkdtempSync(join(tmpdir(), 'pk-markdown-links-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'docs'));
  mkdirSync(join(root, 'node_modules'));
  writeFileSync(join(root, 'node_modules', 'ignored.md'), '[gone](nowhere.md)\n');
  writeFileSync(join(root, 'code.ts'), 'one\ntwo\nthree\n');
  writeFileSync(
    join(root, 'docs', 'guide.md'),
    ['# Guide', '', '## Admin API', '', '## Admin API', '', '<a id="custom"></a>', ''].join('\n'),
  );
  const readme = join(root, 'README.md');
  writeFileSync(
    readme,
    [
      '# Read me',
      '',
      '## Rate limits & budgets',
      '',
      '[ok](docs/guide.md) [ok](docs/guide.md#admin-api) [ok](docs/guide.md#admin-api-1)',
      '[ok](docs/guide.md#custom) [ok](<docs/guide.md> "title") [ok](docs) [ok](/docs/guide.md)',
      '[ok](#rate-limits--budgets) [ok](code.ts#L3) [ok](https://example.com/x.md) [ok](mailto:a@b.c)',
      '`[code](not-a-link.md)`',
      '```md',
      '[in a fence](not-a-link-either.md)',
      '```',
      '[dead](docs/missing.md) [dead](docs/guide.md#admin-api-2) [dead](#nowhere)',
      '[dead](code.ts#L4) [dead](missing%20file.md)',
      '[label]: docs/gone.md',
    ].join('\n'),
  );

  it('finds the links of inline text and reference definitions, not of code', () => {
    const targets = markdownLinks('[a](x.md) ![b](y.png "t") `[c](z.md)`\n[d]: w.md\n').map((l) => l.target);
    expect(targets).toEqual(['x.md', 'y.png', 'w.md']);
  });

  it('gives headings GitHub’s anchors', () => {
    expect([...headingAnchors('# Admin API\n## Admin API\n### `pk` & the CLI\n')]).toEqual([
      'admin-api',
      'admin-api-1',
      'pk--the-cli',
    ]);
  });

  it('reports each dead link with its line and why, and nothing else', () => {
    expect(deadLinks(readme, root).map((link) => `${link.line} ${link.target}: ${link.problem}`)).toEqual([
      '12 docs/missing.md: no such file or folder',
      '12 docs/guide.md#admin-api-2: no such heading',
      '12 #nowhere: no such heading',
      '13 code.ts#L4: the file has 3 lines',
      '13 missing%20file.md: no such file or folder',
      '14 docs/gone.md: no such file or folder',
    ]);
  });

  it('skips node_modules', () => {
    expect(listMarkdownFiles(root).map((file) => file.slice(root.length + 1))).toEqual([
      'README.md',
      'docs/guide.md',
    ]);
  });
});
