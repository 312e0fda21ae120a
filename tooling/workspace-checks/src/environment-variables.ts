import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/*
 * What the documentation says about environment variables (the root README's table, decision 0007's
 * tables, READMEs, `pk` help) against what the code reads, by static reading of sources: no process
 * is started. Pure functions over texts, and the file walk at the edge.
 */

/**
 * The names pk may honour (decision 0007): `PK_*`, `PORT`, `HOST`, `CI`, the proxy conventions,
 * `OTEL_*`, `AWS_*` and the SDK's `PORTKEY_*`. Other names a program reads (`PATH`) are not pk's.
 */
const FAMILY =
  /^(?:PK_[A-Z0-9_]*[A-Z0-9]|PORT|HOST|CI|HTTPS_PROXY|HTTP_PROXY|NO_PROXY|https_proxy|http_proxy|no_proxy|OTEL_[A-Z0-9_]*[A-Z0-9]|AWS_[A-Z0-9_]*[A-Z0-9]|PORTKEY_[A-Z0-9_]*[A-Z0-9])$/;

/** `PK_ERR_*` (error codes) and `PK_ERROR_*` (the catalogue's exports) are not variables. */
const NOT_A_VARIABLE = /^PK_ERR(?:OR)?_/;

/** True for a name in pk's families of variables. */
export function isPkVariableName(name: string): boolean {
  return FAMILY.test(name) && !NOT_A_VARIABLE.test(name);
}

/** The lower-case proxy names are read as aliases of the upper-case ones the table lists. */
export function canonicalName(name: string): string {
  return /^(?:https|http|no)_proxy$/.test(name) ? name.toUpperCase() : name;
}

/** One row's worth of documentation: a variable (or a `PK_BENCH_*` pattern) and its default cell. */
export interface DocumentedVariable {
  readonly name: string;
  readonly defaultText: string;
  readonly line: number;
}

/** Splits a Markdown table row into its cells (no escaped pipes in these tables). */
function cellsOf(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim());
}

/**
 * The variables of every Markdown table whose first column is headed `variable`, with the cell of
 * the column headed `default`. A cell naming several (`A`, `B`) gives each its share of a default
 * cell with as many comma-separated parts, else the whole cell; `…_TIMEOUT` after `OTEL_X_HEADERS`
 * is `OTEL_X_TIMEOUT` (the last `_` part of the full name before it replaced).
 */
export function documentedVariables(markdown: string): DocumentedVariable[] {
  const found: DocumentedVariable[] = [];
  const lines = markdown.split('\n');
  let defaultColumn = -1;
  let inTable = false;
  for (const [index, line] of lines.entries()) {
    if (!line.trim().startsWith('|')) {
      inTable = false;
      continue;
    }
    const cells = cellsOf(line);
    if (!inTable) {
      inTable = true;
      defaultColumn = cells[0] === 'variable' ? cells.indexOf('default') : -2;
      continue;
    }
    if (defaultColumn === -2 || /^-+$/.test(cells[0] ?? '')) continue;
    const names = [...(cells[0] ?? '').matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '');
    const defaultCell = defaultColumn >= 0 ? (cells[defaultColumn] ?? '') : '';
    const parts = splitDefaults(defaultCell);
    let full = '';
    for (const [position, written] of names.entries()) {
      if (!written.startsWith('…_')) full = written;
      const name = written.startsWith('…_') ? `${full.replace(/_[A-Z]+$/, '')}${written.slice(1)}` : written;
      const defaultText = parts.length === names.length ? (parts[position] ?? '') : defaultCell;
      found.push({ name, defaultText, line: index + 1 });
    }
  }
  return found;
}

/** `5000, 2048, 512, 30000` → four parts; commas inside backticks or parentheses do not split. */
function splitDefaults(cell: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const character of cell) {
    if (character === '`') quoted = !quoted;
    else if (!quoted && character === '(') depth += 1;
    else if (!quoted && character === ')') depth -= 1;
    if (character === ',' && depth === 0 && !quoted) {
      parts.push(current.trim());
      current = '';
    } else current += character;
  }
  parts.push(current.trim());
  return parts;
}

/** True when `name` is documented: listed, or matched by a listed pattern (`PK_BENCH_*`). */
export function isDocumented(name: string, documented: readonly string[]): boolean {
  return documented.some((entry) =>
    entry.endsWith('*') ? name.startsWith(entry.slice(0, -1)) : entry === canonicalName(name),
  );
}

/** A documented default reduced to a value code could hold, or undefined when it is prose. */
export type DefaultValue =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'string'; readonly value: string };

/**
 * A table's default cell as a value: a number (`30`, `20000`, `600 000`), on/off words as booleans
 * (`unset` of an on/off switch counts as off: see {@link sameDefault}), a backticked value as a string
 * (`pk:limits:`, `.pk-data`); prose (`generated (SQLite only)`, `in PK_DATA_DIR`) is undefined.
 */
export function documentedDefault(cell: string): DefaultValue | undefined {
  const text = cell.trim();
  const head = /^`([^`]*)`|^([^\s(,]+)/.exec(text);
  if (!head) return undefined;
  const token = (head[1] ?? head[2] ?? '').trim();
  const bare = head[1] === undefined;
  if (/^\d[\d_ ,]*$/.test(token) && (bare || /^\d+$/.test(token))) {
    return { kind: 'number', value: Number(token.replace(/[_ ,]/g, '')) };
  }
  const word = token.toLowerCase();
  if (['on', 'true', 'yes'].includes(word)) return { kind: 'boolean', value: true };
  if (['off', 'false', 'no'].includes(word)) return { kind: 'boolean', value: false };
  if (bare) return undefined;
  return /^\d+$/.test(token) ? { kind: 'number', value: Number(token) } : { kind: 'string', value: token };
}

/** True when the table's cell and the code's default agree (a switch documented `unset` is off). */
export function sameDefault(cell: string, code: DefaultValue): boolean {
  const documented = documentedDefault(cell);
  if (documented === undefined)
    return code.kind === 'boolean' && code.value === false && /^(?:unset|none)\b/.test(cell.trim());
  return documented.kind === code.kind && documented.value === code.value;
}

/** Where code reads a variable, with the default written beside the read if it is a literal. */
export interface VariableRead {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly fallback?: DefaultValue;
}

/** `const NAME = 'literal' | 600_000 | 8 * 1024 * 1024;` of a source, by name. */
export function literalConstants(source: string): Map<string, DefaultValue> {
  const constants = new Map<string, DefaultValue>();
  for (const match of source.matchAll(/\bconst\s+([A-Z][A-Z0-9_]*)\s*(?::\s*[\w<>[\]| ]+)?=\s*([^;\n]+);/g)) {
    const value = literalOf(match[2] ?? '', new Map());
    if (value !== undefined) constants.set(match[1] ?? '', value);
  }
  return constants;
}

/** A literal expression's value: a string, a boolean, a number or a product of numbers, a constant. */
function literalOf(
  expression: string,
  constants: ReadonlyMap<string, DefaultValue>,
): DefaultValue | undefined {
  const text = expression.trim();
  const string = /^'([^'\\]*)'$|^"([^"\\]*)"$/.exec(text);
  if (string) {
    const value = string[1] ?? string[2] ?? '';
    // `env.X ?? ''` is no default: the variable unset reads as empty.
    return isPkVariableName(value) || value === '' ? undefined : { kind: 'string', value };
  }
  if (text === 'true' || text === 'false') return { kind: 'boolean', value: text === 'true' };
  if (/^\d[\d_]*(?:\s*\*\s*\d[\d_]*)*$/.test(text)) {
    const value = text
      .split('*')
      .map((factor) => Number(factor.trim().replaceAll('_', '')))
      .reduce((product, factor) => product * factor, 1);
    return { kind: 'number', value };
  }
  const wrapped = /^String\(\s*([A-Z][A-Z0-9_]*)\s*\)$/.exec(text);
  const constant = constants.get(wrapped?.[1] ?? text);
  if (constant && wrapped) return { kind: 'string', value: String(constant.value) };
  return constant;
}

/** A default read as a string (`env.PORT || '8787'`) is compared as the number it is read as. */
function asRead(value: DefaultValue | undefined): DefaultValue | undefined {
  if (value?.kind === 'string' && /^\d+$/.test(value.value))
    return { kind: 'number', value: Number(value.value) };
  return value;
}

const EXPRESSION = String.raw`('[^'\n]*'|"[^"\n]*"|\d[\d_]*(?:\s*\*\s*\d[\d_]*)*|true|false|String\(\s*[A-Z][A-Z0-9_]*\s*\)|[A-Z][A-Z0-9_]*)`;

/**
 * The variables a source reads: `env.NAME`, `env?.NAME`, `env['NAME']` (`process.env` and any object
 * called `env` alike; an assignment is not a read) and, outside tests, a name given as a string
 * (`flag(env, 'PK_METRICS', true)`, a list of names) or built from a prefix given as one
 * (`${prefix}TIMEOUT`). The default beside a read, when a literal (or a constant holding one):
 * `env.NAME || 'x'`, `env.NAME ?? x`, `('NAME', x` and `if (… === '') return x;` just after it.
 */
export function variableReads(
  source: string,
  file: string,
  options: { readonly test: boolean; readonly constants: ReadonlyMap<string, DefaultValue> },
): VariableRead[] {
  const constants = new Map([...options.constants, ...literalConstants(source)]);
  const reads: VariableRead[] = [];
  const lineAt = (offset: number): number => source.slice(0, offset).split('\n').length;
  const add = (name: string, offset: number, fallback: DefaultValue | undefined): void => {
    if (!isPkVariableName(name)) return;
    const value = asRead(fallback);
    reads.push({ name, file, line: lineAt(offset), ...(value ? { fallback: value } : {}) });
  };
  const after = (offset: number, pattern: RegExp): string | undefined =>
    pattern.exec(source.slice(offset))?.[1];
  const property =
    /\benv(?:\?\.|\.)([A-Za-z][A-Za-z0-9_]*)|\benv(?:\?\.)?\[\s*['"]([A-Za-z][A-Za-z0-9_]*)['"]\s*\]/g;
  for (const match of source.matchAll(property)) {
    const end = (match.index ?? 0) + match[0].length;
    if (/^\s*=(?!=)/.test(source.slice(end))) continue;
    const beside =
      after(end, new RegExp(String.raw`^(?:\?\.trim\(\))?\s*(?:\|\||\?\?)\s*${EXPRESSION}`)) ??
      after(end, new RegExp(String.raw`^[^\n]*\n(?:[^\n]*\n)?[^\n]*?=== ''\)\s*return\s+${EXPRESSION};`));
    add(
      match[1] ?? match[2] ?? '',
      match.index ?? 0,
      beside === undefined ? undefined : literalOf(beside, constants),
    );
  }
  if (options.test) return reads;
  const prefixes: string[] = [];
  for (const match of source.matchAll(/['"`]([A-Za-z][A-Za-z0-9_]*)['"`]/g)) {
    const name = match[1] ?? '';
    // `env['NAME']` is read above; `const MARKER = 'PK_X'` is a value, not a variable.
    if (
      /(?:\benv(?:\?\.)?\[|[^=!<>]=)\s*$/.test(source.slice(Math.max(0, (match.index ?? 0) - 8), match.index))
    )
      continue;
    if (name.endsWith('_') && isPkVariableName(`${name}X`) && !NOT_A_VARIABLE.test(name)) {
      prefixes.push(name);
      continue;
    }
    const end = (match.index ?? 0) + match[0].length;
    const beside =
      after(end, new RegExp(String.raw`^\s*,\s*${EXPRESSION}\s*[,)]`)) ??
      helperDefault(source, match.index ?? 0);
    add(name, match.index ?? 0, beside === undefined ? undefined : literalOf(beside, constants));
  }
  for (const match of source.matchAll(/`\$\{\s*[a-z]\w*\s*\}([A-Z][A-Z0-9_]*)`/g)) {
    for (const prefix of prefixes) add(`${prefix}${match[1] ?? ''}`, match.index ?? 0, undefined);
  }
  return reads;
}

/**
 * The default of a helper of the same source the name is handed to with its value,
 * `listenHostOf('HOST', env.HOST)`, when its body starts by returning a literal for an empty value:
 * `function listenHostOf(name, value) { if (value === undefined || value === '') return '127.0.0.1';`.
 */
function helperDefault(source: string, offset: number): string | undefined {
  const callee = /\b([a-z]\w*)\(\s*$/.exec(source.slice(Math.max(0, offset - 40), offset))?.[1];
  if (callee === undefined) return undefined;
  const definition = source.indexOf(`function ${callee}(`);
  if (definition === -1) return undefined;
  const body = source.slice(definition, definition + 400);
  return new RegExp(String.raw`^[^{]*\{\s*if \([^)]*=== ''\)\s*return\s+${EXPRESSION};`).exec(body)?.[1];
}

/** The `PK_*` names a Markdown or help text mentions, save secrets it names itself (`env:PK_X`). */
export function mentionedVariables(text: string): { readonly name: string; readonly line: number }[] {
  const found: { name: string; line: number }[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    for (const match of line.matchAll(/(env:)?\b(PK_[A-Z0-9_]+)(\*)?/g)) {
      const name = `${match[2] ?? ''}${match[3] ?? ''}`;
      if (match[1] || NOT_A_VARIABLE.test(name) || name.endsWith('_')) continue;
      found.push({ name, line: index + 1 });
    }
  }
  return found;
}

/**
 * The defaults a Markdown text gives beside a variable's name: `` `PK_X` (default 128) ``,
 * `` `PK_X`, default `.pk-data` `` (a number with a unit, `30 s`, is left alone).
 */
export function mentionedDefaults(
  text: string,
): { readonly name: string; readonly defaultText: string; readonly line: number }[] {
  const found: { name: string; defaultText: string; line: number }[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    for (const match of line.matchAll(
      /`([A-Z][A-Z0-9_]*)`\*{0,2},? \(?default (`[^`]+`|\d[\d_]*(?=[),;]))/g,
    )) {
      const name = match[1] ?? '';
      if (isPkVariableName(name)) found.push({ name, defaultText: match[2] ?? '', line: index + 1 });
    }
  }
  return found;
}

/** Test sources: read only for `env.NAME` (their string literals are test data, not reads). */
export function isTestSource(path: string): boolean {
  return /(?:^|\/)(?:test|tests|__fixtures__)\/|\.test\.[cm]?[jt]s$|\/testing\//.test(path);
}

const SOURCE = /\.(?:[cm]?ts|[cm]?js)$/;

/** Every source file (TypeScript and JavaScript, no declarations) under the workspace's groups. */
export function listCodeFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (current: string): void => {
    for (const entry of readdirSync(current)) {
      if (['node_modules', 'dist', 'coverage', '.turbo', '.pk-data'].includes(entry)) continue;
      const path = join(current, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (SOURCE.test(entry) && !/\.d\.[cm]?ts$/.test(entry)) files.push(path);
    }
  };
  for (const group of ['apps', 'packages', 'tooling', 'examples', 'scripts']) {
    try {
      walk(join(root, group));
    } catch {
      // the folder does not exist
    }
  }
  return files;
}

/** Every read of the workspace's code, defaults resolved through constants of any production file. */
export function workspaceReads(root: string): VariableRead[] {
  // This check's own sources and tests name variables as examples.
  const own = /^tooling\/workspace-checks\/src\/environment-variables/;
  const sources = listCodeFiles(root)
    .filter((path) => !own.test(relative(root, path)))
    .map((path) => ({
      path: relative(root, path),
      text: readFileSync(path, 'utf8'),
    }));
  const constants = new Map<string, DefaultValue>();
  for (const source of sources) {
    if (isTestSource(source.path)) continue;
    for (const [name, value] of literalConstants(source.text)) constants.set(name, value);
  }
  return sources.flatMap((source) =>
    variableReads(source.text, source.path, { test: isTestSource(source.path), constants }),
  );
}
