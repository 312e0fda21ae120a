import type { Writable } from 'node:stream';

/** Where a command writes: results to stdout, progress and errors to stderr. */
export interface Output {
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** `--json`: results as JSON on stdout instead of text. */
  readonly json: boolean;
}

/** Writes one line to stdout. */
export function line(output: Output, text = ''): void {
  output.stdout.write(`${text}\n`);
}

/** Writes a value as indented JSON to stdout. */
export function printJson(output: Output, value: unknown): void {
  output.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.join(',');
  return String(value);
}

/** A table with a header row, columns padded to their widest cell. */
export function printTable(
  output: Output,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): void {
  const cells = rows.map((row) => row.map(cell));
  const widths = columns.map((column, index) =>
    Math.max(column.length, ...cells.map((row) => row[index]?.length ?? 0)),
  );
  const format = (values: readonly string[]) =>
    values
      .map((value, index) => (index === values.length - 1 ? value : value.padEnd(widths[index] ?? 0)))
      .join('  ');
  line(output, format(columns.map((column) => column.toUpperCase())));
  for (const row of cells) line(output, format(row));
}
