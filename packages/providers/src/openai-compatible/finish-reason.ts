/**
 * OpenAI's finish reason for a vendor's own (`finishReasons` of its configuration: Together's `eos` →
 * `stop`), or `undefined` when the vendor's is not mapped. Only the table's own entries count: a
 * reason named like an `Object` prototype member (`constructor`) is not a mapping.
 */
export function mappedFinishReason(
  reasons: Readonly<Record<string, string>> | undefined,
  reason: unknown,
): string | undefined {
  return typeof reason === 'string' && reasons !== undefined && Object.hasOwn(reasons, reason)
    ? reasons[reason]
    : undefined;
}
