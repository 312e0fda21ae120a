/**
 * camelCase → snake_case for config keys (behaviour reference §3.4): `apiKey` → `api_key`,
 * `strictOpenAiCompliance` → `strict_open_ai_compliance`, and Portkey's acronym spelling
 * `awsServerSideEncryptionKMSKeyId` → `aws_server_side_encryption_kms_key_id`. Keys that already
 * contain `_` or no capital are returned unchanged.
 */
export function camelToSnake(key: string): string {
  if (key.includes('_') || !/[A-Z]/.test(key)) return key;
  return key
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? Number.POSITIVE_INFINITY;
}

/** The known key closest to a misspelt one (at most 2 edits away), for "did you mean" hints. */
export function closestKey(key: string, known: Iterable<string>): string | undefined {
  const wanted = camelToSnake(key).toLowerCase();
  if (wanted.length < 3 || wanted.length > 64) return undefined;
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(wanted, candidate);
    if (distance <= 2 && (best === undefined || distance < best.distance))
      best = { key: candidate, distance };
  }
  return best?.key;
}
