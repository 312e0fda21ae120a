import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  canonicalName,
  type DocumentedVariable,
  documentedDefault,
  documentedVariables,
  isDocumented,
  mentionedDefaults,
  mentionedVariables,
  sameDefault,
  variableReads,
  workspaceReads,
} from './environment-variables.js';
import { listMarkdownFiles } from './markdown-links.js';
import { REPO_ROOT, repoPath } from './workspace.js';

// Decision 0007: the root README's "Environment variables" table is the one list of the variables
// pk reads ("a variable that is not in that table does not exist"); 0007's own tables detail
// groups of them (the OpenTelemetry ones name each standard variable the README's row sums up).
// Static reading only: sources, READMEs and `pk` help against those tables, no process started.

const rootReadme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const decision = readFileSync(join(REPO_ROOT, 'docs/decisions/0007-environment-variables.md'), 'utf8');

/** The root README's section "Environment variables", where its table is. */
function environmentSection(readme: string): string {
  const start = readme.indexOf('\n## Environment variables\n');
  const end = readme.indexOf('\n## ', start + 1);
  return start === -1 ? '' : readme.slice(start, end === -1 ? undefined : end);
}

const readmeTable = documentedVariables(environmentSection(rootReadme));
const decisionTables = documentedVariables(decision);
const documented = [...readmeTable, ...decisionTables].map((entry) => entry.name);
const reads = workspaceReads(REPO_ROOT);
const where = (read: { file: string; line: number }): string => `${read.file}:${read.line}`;

describe('the environment variables the code reads and the table of decision 0007', () => {
  it('the tables are found', () => {
    expect(readmeTable.map((entry) => entry.name)).toEqual(expect.arrayContaining(['PORT', 'PK_LOG_STORE']));
    expect(decisionTables.map((entry) => entry.name)).toEqual(
      expect.arrayContaining(['OTEL_BSP_MAX_QUEUE_SIZE', 'PK_LIMITS_TIMEOUT_MS']),
    );
    expect(reads.length).toBeGreaterThan(50);
  });

  it('every variable the code reads is in the table', () => {
    const missing = reads.filter((read) => !isDocumented(read.name, documented));
    expect(missing.map((read) => `${read.name} (${where(read)})`)).toEqual([]);
  });

  it('every variable the table lists is read by the code', () => {
    const readNames = [...new Set(reads.map((read) => canonicalName(read.name)))];
    const unread = [...readmeTable, ...decisionTables].filter((entry) =>
      entry.name.endsWith('*')
        ? !readNames.some((name) => name.startsWith(entry.name.slice(0, -1)))
        : !readNames.includes(entry.name),
    );
    expect(unread.map((entry) => entry.name)).toEqual([]);
  });

  it('a default written in the code is the table’s', () => {
    const tableDefault = new Map<string, DocumentedVariable>();
    for (const entry of [...decisionTables, ...readmeTable]) tableDefault.set(entry.name, entry);
    // The gateway's, the CLI's and the SDK's sources (a bench's own `PORT` is its bare server's).
    const differing = reads
      .filter((read) => read.file.includes('/src/'))
      .flatMap((read) => {
        const entry = tableDefault.get(canonicalName(read.name));
        if (
          read.fallback === undefined ||
          entry === undefined ||
          documentedDefault(entry.defaultText) === undefined
        )
          return sameDefaultOrUnset(read, entry);
        return sameDefault(entry.defaultText, read.fallback)
          ? []
          : [
              `${read.name}: ${JSON.stringify(read.fallback.value)} in ${where(read)}, ${entry.defaultText} in the table`,
            ];
      });
    expect(differing).toEqual([]);
  });

  it('decision 0007’s tables and the root README’s give a variable the same default', () => {
    const differing = decisionTables.flatMap((entry) => {
      const row = readmeTable.find((candidate) => candidate.name === entry.name);
      const ours = documentedDefault(entry.defaultText);
      const theirs = row && documentedDefault(row.defaultText);
      if (ours === undefined || theirs === undefined) return [];
      return ours.kind === theirs.kind && ours.value === theirs.value
        ? []
        : [`${entry.name}: ${entry.defaultText} (0007) and ${row?.defaultText} (README)`];
    });
    expect(differing).toEqual([]);
  });

  // READMEs, decisions and guides; not changelogs, which keep the names of their time.
  it('every PK_* variable a README or another document names is in the table', () => {
    const readmes = listMarkdownFiles().filter((file) => basename(file) !== 'CHANGELOG.md');
    expect(readmes.map(repoPath)).toContain('apps/gateway/README.md');
    const unknown = readmes.flatMap((file) =>
      mentionedVariables(readFileSync(file, 'utf8'))
        .filter((mention) => !isDocumented(mention.name, documented) && !documented.includes(mention.name))
        .map((mention) => `${mention.name} (${repoPath(file)}:${mention.line})`),
    );
    expect(unknown).toEqual([]);
  });

  it('a default a README or a decision gives beside a variable’s name is the table’s', () => {
    const texts = listMarkdownFiles().filter(
      (file) => basename(file) === 'README.md' || repoPath(file).startsWith('docs/decisions/'),
    );
    const differing = texts.flatMap((file) =>
      mentionedDefaults(readFileSync(file, 'utf8')).flatMap((mention) => {
        const entry = readmeTable.find((candidate) => candidate.name === mention.name);
        const theirs = entry && documentedDefault(entry.defaultText);
        const ours = documentedDefault(mention.defaultText);
        if (theirs === undefined || ours === undefined) return [];
        return ours.kind === theirs.kind && ours.value === theirs.value
          ? []
          : [
              `${mention.name}: ${mention.defaultText} in ${repoPath(file)}:${mention.line}, ${entry?.defaultText} in the table`,
            ];
      }),
    );
    expect(differing).toEqual([]);
  });

  it('the root README’s table says what each variable does in “used by”, and only its status in “status”', () => {
    const rows = environmentSection(rootReadme)
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => line.split('|').map((cell) => cell.trim()));
    expect(rows.length).toBeGreaterThan(40);
    const misplaced = rows.filter((cells) => !['in use', 'planned'].includes(cells[4] ?? ''));
    expect(misplaced.map((cells) => `${cells[1]}: ${cells[4]}`)).toEqual([]);
  });

  it('`pk` help names only variables of the table, with the table’s defaults', () => {
    const help = readFileSync(join(REPO_ROOT, 'apps/cli/src/program.ts'), 'utf8');
    const named = mentionedVariables(help).filter((mention) => !isDocumented(mention.name, documented));
    expect(named).toEqual([]);
    const differing = [...help.matchAll(/^\s+(PK_[A-Z_]+)\s+[^\n]*?\(default ([^;)\s]+)/gm)].flatMap(
      (match) => {
        const entry = readmeTable.find((candidate) => candidate.name === match[1]);
        return entry && documentedDefault(entry.defaultText)?.value === match[2]
          ? []
          : [`${match[1]}: ${match[2]} in pk help, ${entry?.defaultText} in the table`];
      },
    );
    expect(differing).toEqual([]);
  });
});

/** A literal default in code for a variable the table says is unset (or prose) is a disagreement. */
function sameDefaultOrUnset(
  read: { name: string; file: string; line: number; fallback?: { value: unknown } },
  entry: DocumentedVariable | undefined,
): string[] {
  if (read.fallback === undefined || entry === undefined) return [];
  if (!/^(?:unset|none)\b/i.test(entry.defaultText.trim())) return [];
  if (read.fallback.value === false) return [];
  return [
    `${read.name}: ${JSON.stringify(read.fallback.value)} in ${where(read)}, ${entry.defaultText} in the table`,
  ];
}

describe('the environment variable check', () => {
  it('reads env.NAME, env[‘NAME’] and names given as strings, with the literal default beside them or in the helper given them', () => {
    const source = [
      'const DEFAULT_X = 8 * 1024;',
      "const a = env.PK_A || '30000';",
      "const b = env['PK_B'] ?? DEFAULT_X;",
      "const c = flag(env, 'PK_C', true);",
      "const d = integer(env.PK_D, 'PK_D', 20_000, 1, 9);",
      "env.PK_ASSIGNED = 'x';",
      "const e = env.PATH || '/bin';",
      "for (const prefix of ['OTEL_Y_', 'OTEL_Z_']) read(env[`\u0024{prefix}TIMEOUT`]);",
      "throw new Error('PK_ERR_TIMEOUT');",
      "const host = hostOf('HOST', env.HOST);",
      'function hostOf(name: string, value: string | undefined): string {',
      "  if (value === undefined || value === '') return '127.0.0.1';",
    ].join('\n');
    const found = variableReads(source, 'x.ts', { test: false, constants: new Map() });
    expect(found.map((read) => [read.name, read.fallback?.value])).toEqual([
      ['PK_A', 30000],
      ['PK_B', 8192],
      ['PK_D', undefined],
      ['HOST', '127.0.0.1'],
      ['PK_C', true],
      ['PK_D', 20000],
      ['HOST', '127.0.0.1'],
      ['OTEL_Y_TIMEOUT', undefined],
      ['OTEL_Z_TIMEOUT', undefined],
    ]);
    expect(
      variableReads(source, 'x.test.ts', { test: true, constants: new Map() }).map((r) => r.name),
    ).toEqual(['PK_A', 'PK_B', 'PK_D', 'HOST']);
  });

  it('reads a table’s variables and defaults, several to a row, `…_X` after a full name', () => {
    const table = [
      'Text.',
      '',
      '| variable | default | what |',
      '| --- | --- | --- |',
      '| `PK_A` | `30` | a |',
      '| `OTEL_X_HEADERS`, `…_TIMEOUT` | SDK defaults | b |',
      '| `OTEL_P`, `OTEL_Q` | 5000, `pk-gateway` | c |',
      '| `PK_BENCH_*` | as the scripts say | d |',
      '',
      '| header | default |',
      '| --- | --- |',
      '| `PK_NOT` | 1 |',
    ].join('\n');
    expect(documentedVariables(table).map((entry) => [entry.name, entry.defaultText])).toEqual([
      ['PK_A', '`30`'],
      ['OTEL_X_HEADERS', 'SDK defaults'],
      ['OTEL_X_TIMEOUT', 'SDK defaults'],
      ['OTEL_P', '5000'],
      ['OTEL_Q', '`pk-gateway`'],
      ['PK_BENCH_*', 'as the scripts say'],
    ]);
    expect(isDocumented('PK_BENCH_RUNS', ['PK_BENCH_*'])).toBe(true);
    expect(isDocumented('https_proxy', ['HTTPS_PROXY'])).toBe(true);
  });

  it('compares a default as the value it is: a number, a switch, a string; prose is not compared', () => {
    expect(sameDefault('`268435456`', { kind: 'number', value: 256 * 1024 * 1024 })).toBe(true);
    expect(sameDefault('`30000`', { kind: 'number', value: 3000 })).toBe(false);
    expect(sameDefault('on', { kind: 'boolean', value: true })).toBe(true);
    expect(sameDefault('`false`', { kind: 'boolean', value: true })).toBe(false);
    expect(sameDefault('unset', { kind: 'boolean', value: false })).toBe(true);
    expect(sameDefault('`pk:limits:`', { kind: 'string', value: 'pk:limits:' })).toBe(true);
    expect(documentedDefault('generated (SQLite only)')).toBeUndefined();
    expect(documentedDefault('in `PK_DATA_DIR`')).toBeUndefined();
  });

  it('takes a default written beside a variable’s name, not a number with its unit', () => {
    expect(
      mentionedDefaults(
        '`PK_A` (default 128), `PK_B`, default `.pk-data`; `PK_C` (default 30 s), `PATH` (default `/`)',
      ),
    ).toEqual([
      { name: 'PK_A', defaultText: '128', line: 1 },
      { name: 'PK_B', defaultText: '`.pk-data`', line: 1 },
    ]);
  });

  it('takes the PK_* names a text mentions, not the secrets it names (`env:PK_X`) nor error codes', () => {
    expect(
      mentionedVariables(
        'set `PK_A=1`, PK_BENCH_* and env:PK_TEAM_KEY;\nPK_ERR_TIMEOUT PK_ERROR_CATALOGUE PK_B',
      ),
    ).toEqual([
      { name: 'PK_A', line: 1 },
      { name: 'PK_BENCH_*', line: 1 },
      { name: 'PK_B', line: 2 },
    ]);
  });
});
