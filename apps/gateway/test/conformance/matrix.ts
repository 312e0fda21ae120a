import { readFileSync } from 'node:fs';
import { DIALECTS, type DialectId, FAMILIES, FEATURES, type FeatureId, isNative } from './families.js';

/** Where the suites live, from the repository root (the README links to them). */
const SUITE_DIR = 'apps/gateway/test/conformance';

/**
 * The line of a feature's case in a dialect's suite (`  <feature>: async (cell) => {`): the code one
 * row of cells runs. Throws when a suite has no case for a feature, so no cell is claimed without one.
 */
export function caseLine(dialect: DialectId, feature: FeatureId): number {
  const file = DIALECTS.find((candidate) => candidate.id === dialect)?.file ?? '';
  const lines = readFileSync(new URL(file, import.meta.url), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.startsWith(`  ${feature}: async (cell) => {`));
  if (index === -1) throw new Error(`${file} has no case for ${feature}: the matrix cannot claim it`);
  return index + 1;
}

/**
 * The conformance matrix as Markdown: one row per client dialect and feature, one column per provider
 * family. Every cell says how the provider was reached (`native`: its own API for that dialect;
 * `translated`: through chat completions) and links to the case that proves it; the test's name is
 * the link's title (`<dialect> → <family> › <feature>`).
 */
export function renderConformanceMatrix(): string {
  const header = `| dialect | feature | ${FAMILIES.map((family) => family.label).join(' | ')} |`;
  const rule = `| --- | --- | ${FAMILIES.map(() => '---').join(' | ')} |`;
  const rows: string[] = [];
  for (const dialect of DIALECTS) {
    for (const feature of FEATURES) {
      const link = `${SUITE_DIR}/${dialect.file}#L${caseLine(dialect.id, feature.id)}`;
      const cells = FAMILIES.map((family) => {
        const how = isNative(dialect.id, family) ? 'native' : 'translated';
        return `[${how}](${link} "${dialect.id} → ${family.label} › ${feature.label}")`;
      });
      rows.push(`| ${dialect.label} | ${feature.label} | ${cells.join(' | ')} |`);
    }
  }
  return [header, rule, ...rows].join('\n');
}

/** How many cells the matrix claims. */
export const CONFORMANCE_CELLS = DIALECTS.length * FEATURES.length * FAMILIES.length;
