/**
 * A virtual key's slug as answers name it, masked as Portkey masks it (its `hash`): the first 2
 * characters, `********`, the last 3. Budget refusals and the expired-key answer use it.
 */
export function maskSlug(slug: string): string {
  return slug.length <= 5 ? slug : `${slug.slice(0, 2)}********${slug.slice(-3)}`;
}
