import { splitThoughtSignature } from '../google/signed-tool-call-id.js';

/**
 * `record` with the tool call id in `field` freed of the Gemini thought signature it carries
 * (`<id>__thought__<base64url>`, see `google/signed-tool-call-id.ts`); `record` itself when the field
 * holds no signed id, so a body without one is never copied.
 */
export function withUnsignedToolCallId<T extends Readonly<Record<string, unknown>>>(
  record: T,
  field: string,
): T {
  const id = record[field];
  if (typeof id !== 'string') return record;
  const own = splitThoughtSignature(id).id;
  return own === id ? record : { ...record, [field]: own };
}

/**
 * `items` with `change` applied to each; `items` itself when no item changed (the array is copied only
 * from the first changed item on).
 */
export function mapChangedItems(
  items: readonly unknown[],
  change: (item: unknown) => unknown,
): readonly unknown[] {
  let changed: unknown[] | undefined;
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    const next = change(item);
    if (next !== item && changed === undefined) changed = items.slice(0, index);
    changed?.push(next);
  }
  return changed ?? items;
}
