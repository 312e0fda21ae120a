import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './workspace.js';

/** Folders whose Markdown is not the repository's own (installed, built, generated or consumed files). */
const SKIPPED_FOLDERS = new Set([
  '.git',
  'node_modules',
  'dist',
  '.changeset',
  '.turbo',
  'coverage',
  '.pk-data',
  'test-artifacts',
]);

/** Every `*.md` file of the repository outside {@link SKIPPED_FOLDERS}, as absolute paths. */
export function listMarkdownFiles(root: string = REPO_ROOT): string[] {
  const files: string[] = [];
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) walk(join(current, entry.name));
      } else if (entry.name.endsWith('.md')) {
        files.push(join(current, entry.name));
      }
    }
  };
  walk(root);
  return files.sort();
}

/** A link of a Markdown file, with the line it is on (1-based). */
export interface MarkdownLink {
  readonly target: string;
  readonly line: number;
}

/**
 * The link targets of a Markdown text: inline links and images (`[text](target "title")`,
 * `[text](<target>)`) and reference definitions (`[label]: target`). Fenced code blocks and inline
 * code spans are not Markdown links and are skipped.
 */
export function markdownLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((rawLine, index) => {
    const fenceMatch = /^\s{0,3}(`{3,}|~{3,})/.exec(rawLine);
    if (fenceMatch?.[1] !== undefined) {
      const marker = fenceMatch[1];
      if (fence === undefined) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      return;
    }
    if (fence !== undefined) return;
    const line = rawLine.replace(/(`+)[\s\S]*?\1/g, '');
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/.exec(line);
    if (definition?.[1] !== undefined) links.push({ target: definition[1], line: index + 1 });
    for (const match of line.matchAll(/\]\(\s*(?:<([^>]*)>|([^\s)]+))/g)) {
      const target = match[1] ?? match[2];
      if (target !== undefined) links.push({ target, line: index + 1 });
    }
  });
  return links;
}

/** True for a link into the repository: a path or an anchor of the same page (not a URL or a mail address). */
export function isRelativeLink(target: string): boolean {
  return target !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(target);
}

/**
 * The file a relative link names, as GitHub reads it: relative to the Markdown file's folder, or to
 * the repository root when it starts with `/`; without its `#anchor` or `?query`, percent-decoded.
 */
export function linkedPath(markdownFile: string, target: string, root: string = REPO_ROOT): string {
  const path = decodeURIComponent(target.replace(/[#?].*$/, ''));
  return path.startsWith('/') ? join(root, path) : join(dirname(markdownFile), path);
}

/**
 * The anchors GitHub gives a Markdown text's headings (`## Admin API` → `admin-api`, a repeated one
 * `-1`, `-2` …) and its HTML anchors (`<a id="…">`, `<a name="…">`).
 */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const fenceMatch = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fenceMatch?.[1] !== undefined) {
      const marker = fenceMatch[1];
      if (fence === undefined) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    for (const match of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(match[1] ?? '');
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading?.[1] === undefined) continue;
    const text = heading[1]
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link's text only
      .replace(/<[^>]+>/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(text) ?? 0;
    seen.set(text, count + 1);
    anchors.add(count === 0 ? text : `${text}-${count}`);
  }
  return anchors;
}

/** Why a relative link is dead, or undefined when it resolves. */
function problemOf(markdownFile: string, markdown: string, target: string, root: string): string | undefined {
  const hash = target.indexOf('#');
  const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const samePage = target.startsWith('#');
  const file = samePage ? markdownFile : linkedPath(markdownFile, target, root);
  if (!samePage && !existsSync(file)) return 'no such file or folder';
  if (anchor === undefined || anchor === '' || statSync(file).isDirectory()) return undefined;
  const text = samePage ? markdown : readFileSync(file, 'utf8');
  const line = /^L(\d+)(?:-L(\d+))?$/.exec(anchor);
  if (line !== null && !file.endsWith('.md')) {
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    return Number(line[2] ?? line[1]) <= lines ? undefined : `the file has ${lines} lines`;
  }
  if (!file.endsWith('.md')) return undefined;
  return headingAnchors(text).has(anchor) ? undefined : 'no such heading';
}

/** A link that does not resolve, and why. */
export interface DeadLink extends MarkdownLink {
  readonly problem: string;
}

/**
 * The links of a Markdown file to the repository that do not resolve: to a file or folder that does
 * not exist, to a heading a Markdown file does not have, or to a line past a file's end.
 */
export function deadLinks(markdownFile: string, root: string = REPO_ROOT): DeadLink[] {
  const markdown = readFileSync(markdownFile, 'utf8');
  return markdownLinks(markdown).flatMap((link) => {
    if (!isRelativeLink(link.target)) return [];
    const problem = problemOf(markdownFile, markdown, link.target, root);
    return problem === undefined ? [] : [{ ...link, problem }];
  });
}
