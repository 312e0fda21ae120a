/** True for a plain object (not an array, not null): a JSON object as the checks read one. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
