/** True for a plain JSON object (not `null`, not an array): a parsed body, a config piece, a check's data. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
