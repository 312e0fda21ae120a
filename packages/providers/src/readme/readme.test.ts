import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderCapabilityTable, renderProviderSummary } from './capability-table.js';
import { renderCompatibleVendorTable } from './compatible-table.js';
import { renderTranslationMatrix } from './translation-matrix.js';

const README = new URL('../../README.md', import.meta.url);
/** The repository's README carries the short provider list. */
const ROOT_README = new URL('../../../../README.md', import.meta.url);

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->`. */
function replaceSection(text: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md lacks the ${start} … ${end} markers`);
  return `${text.slice(0, from + start.length)}\n\n${content}\n\n${text.slice(to)}`;
}

function generated(current: string): string {
  const withTable = replaceSection(current, 'capability-table', renderCapabilityTable());
  const withVendors = replaceSection(withTable, 'compatible-vendors', renderCompatibleVendorTable());
  return replaceSection(withVendors, 'translation-matrix', renderTranslationMatrix());
}

/** Biome pads Markdown tables; compare the content, not the padding. */
function normalize(text: string): string {
  return text.replaceAll(/ {2,}/g, ' ').replaceAll(/-{3,}/g, '---');
}

describe('README.md', () => {
  it('carries the generated capability table, vendor table and translation matrix (pnpm gen:readme)', () => {
    const current = readFileSync(README, 'utf8');
    const expected = generated(current);
    if (process.env.PK_WRITE_README === '1') writeFileSync(README, expected);
    else expect(normalize(current)).toBe(normalize(expected));
  });

  it("the repository's README carries the generated provider list (pnpm gen:readme)", () => {
    const current = readFileSync(ROOT_README, 'utf8');
    const expected = replaceSection(current, 'provider-list', renderProviderSummary());
    if (process.env.PK_WRITE_README === '1') writeFileSync(ROOT_README, expected);
    else expect(normalize(current)).toBe(normalize(expected));
  });
});
