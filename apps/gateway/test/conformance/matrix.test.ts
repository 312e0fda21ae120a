import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIALECTS, FEATURES } from './families.js';
import { CONFORMANCE_CELLS, caseLine, renderConformanceMatrix } from './matrix.js';

const README = new URL('../../../../README.md', import.meta.url);
const START = '<!-- conformance-matrix:start -->';
const END = '<!-- conformance-matrix:end -->';

/** Biome pads Markdown tables; compare the content, not the padding. */
function normalize(text: string): string {
  return text.replaceAll(/ {2,}/g, ' ').replaceAll(/-{3,}/g, '---');
}

describe('the conformance matrix in the README', () => {
  it('has a case in every dialect suite for every feature (no cell without a test)', () => {
    for (const dialect of DIALECTS)
      for (const feature of FEATURES) expect(caseLine(dialect.id, feature.id)).toBeGreaterThan(0);
    expect(CONFORMANCE_CELLS).toBe(210);
  });

  it('is the generated one (PK_WRITE_README=1 pnpm --filter @pk/gateway exec vitest run test/conformance/matrix.test.ts)', () => {
    const text = readFileSync(README, 'utf8');
    const from = text.indexOf(START);
    const to = text.indexOf(END);
    expect(from).toBeGreaterThan(-1);
    expect(to).toBeGreaterThan(from);
    const expected = `${text.slice(0, from + START.length)}\n\n${renderConformanceMatrix()}\n\n${text.slice(to)}`;
    if (process.env.PK_WRITE_README === '1') writeFileSync(README, expected);
    else expect(normalize(text)).toBe(normalize(expected));
  });
});
