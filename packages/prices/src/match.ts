import type { MatchData } from './price-data-format.js';

/** A compiled match rule: true when a lower-cased model id matches. */
export type ModelIdPredicate = (id: string) => boolean;

/**
 * Compiles a source match rule (values already lower-cased by the generator; `regex` is tested on the
 * lower-cased id, as the source does). Compiled once per table, on the table's first use.
 */
export function compileMatch(match: MatchData): ModelIdPredicate {
  if ('or' in match) {
    const children = match.or.map(compileMatch);
    return (id) => children.some((child) => child(id));
  }
  if ('and' in match) {
    const children = match.and.map(compileMatch);
    return (id) => children.every((child) => child(id));
  }
  if ('starts_with' in match) {
    const prefix = match.starts_with;
    return (id) => id.startsWith(prefix);
  }
  if ('ends_with' in match) {
    const suffix = match.ends_with;
    return (id) => id.endsWith(suffix);
  }
  if ('contains' in match) {
    const part = match.contains;
    return (id) => id.includes(part);
  }
  if ('equals' in match) {
    const value = match.equals.toLowerCase();
    return (id) => id === value;
  }
  const pattern = new RegExp(match.regex);
  return (id) => pattern.test(id);
}
