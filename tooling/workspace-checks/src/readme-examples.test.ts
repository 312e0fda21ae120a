import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { listWorkspacePackages } from './workspace.js';

// Every TypeScript code block of every published package's README compiles as a user's module
// would, under `strict`, against the built packages (a block a user copies must not need fixing
// first). A block that is a fragment declares what it assumes at its top
// (`declare const portkey: Portkey;`). A package that stops being private is checked from then on: the
// blocks import it through this package's devDependencies (checked below) and so does `openai`,
// which the SDK's README shows alongside.
const published = listWorkspacePackages().filter((pkg) => !pkg.private);
const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};

/** The ```ts blocks of a Markdown text, in order. */
function typeScriptBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```(?:ts|typescript)\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '');
}

/** A block as a module (an export makes a block without imports one). */
function moduleOf(block: string): string {
  return `${block}\nexport {};\n`;
}

const blocks = published.flatMap((pkg) => {
  const readme = readFileSync(join(pkg.dir, 'README.md'), 'utf8');
  return typeScriptBlocks(readme).map((block, index) => ({
    id: `${pkg.name} README block ${index + 1}`,
    block,
  }));
});

describe('README code blocks of the published packages', () => {
  it('finds blocks to check', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });

  it('can resolve every published package, as a block imports it', () => {
    const missing = published.map((pkg) => pkg.name).filter((name) => !(name in manifest.devDependencies));
    expect(missing).toEqual([]);
  });

  it('compile under strict against the built packages', () => {
    const directory = mkdtempSync(join(import.meta.dirname, '..', '.readme-blocks-'));
    try {
      const files = blocks.map((entry, index) => {
        const file = join(directory, `block-${index}.mts`);
        writeFileSync(file, moduleOf(entry.block));
        return { ...entry, file };
      });
      const program = ts.createProgram(
        files.map((entry) => entry.file),
        {
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          target: ts.ScriptTarget.ES2023,
          lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
          module: ts.ModuleKind.NodeNext,
          moduleResolution: ts.ModuleResolutionKind.NodeNext,
          types: ['node'],
        },
      );
      const problems = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
        const owner = files.find((entry) => entry.file === diagnostic.file?.fileName);
        const line =
          diagnostic.file && diagnostic.start !== undefined
            ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1
            : 0;
        return `${owner?.id ?? diagnostic.file?.fileName ?? '?'} (line ${line}): ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
      });
      expect(problems).toEqual([]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }, 120_000);
});
