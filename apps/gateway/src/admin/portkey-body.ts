import { PkError } from '@pk/config';

/** A request body of the admin API: a JSON object. */
export type AdminBody = Readonly<Record<string, unknown>>;

/** The body as an object; anything else (an array, a string, nothing) is a 400. */
export function objectBody(body: unknown, what: string): AdminBody {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new PkError('PK_ERR_INVALID_REQUEST', `${what}: expected a JSON object body`);
  }
  return body as AdminBody;
}

/**
 * The first of `names` the body has (Portkey's SDK sends top-level keys in snake_case, its docs
 * show camelCase: both are accepted). `undefined` when none is present.
 */
export function field(body: AdminBody, ...names: readonly string[]): unknown {
  for (const name of names) if (body[name] !== undefined) return body[name];
  return undefined;
}

/**
 * Refuses keys the route does not know, naming them: a misspelt field is an error, never silently
 * dropped. `known` holds every accepted spelling.
 */
export function refuseUnknownFields(body: AdminBody, known: ReadonlySet<string>, what: string): void {
  const unknown = Object.keys(body).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      `${what}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => JSON.stringify(key)).join(', ')}`,
      { param: unknown[0] ?? null },
    );
  }
}

/** Both spellings of each field (`is_default` and `isDefault`). */
export function spellings(...names: readonly string[]): Set<string> {
  const all = new Set<string>();
  for (const name of names) {
    all.add(name);
    all.add(name.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase()));
  }
  return all;
}

/** Portkey's 0/1 flags (and booleans): `true`, `1` → true; `false`, `0` → false; else a 400. */
export function flag(value: unknown, name: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === true || value === 1 || value === '1' || value === 'true') return true;
  if (value === false || value === 0 || value === '0' || value === 'false') return false;
  throw new PkError('PK_ERR_INVALID_REQUEST', `${name}: expected 0, 1, true or false`, { param: name });
}

/**
 * A page of a list, Portkey's way: `current_page` (0-based) and `page_size` (default all) from the
 * query; `{ object: "list", total, data }` with `total` counting every item.
 */
export function listPage<T>(
  items: readonly T[],
  query: Readonly<Record<string, unknown>>,
): { object: 'list'; total: number; data: T[] } {
  const size = pageNumber(query.page_size, 'page_size');
  const page = pageNumber(query.current_page, 'current_page') ?? 0;
  const data = size === undefined ? [...items] : items.slice(page * size, page * size + size);
  return { object: 'list', total: items.length, data };
}

function pageNumber(value: unknown, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || (name === 'page_size' && number === 0)) {
    throw new PkError(
      'PK_ERR_INVALID_REQUEST',
      `${name}: expected a whole number${name === 'page_size' ? ' above 0' : ''}`,
      {
        param: name,
      },
    );
  }
  return number;
}

/**
 * Refuses a PUT whose body names another record than its path (`PUT /v1/configs/pc-a` with `"slug":
 * "pc-b"`): the SDK resends the path's id in the body, and one that differs is a script that meant
 * another record, which must not see "saved" while this one changed. `names` are the record's own
 * (its slug and its id: the path may give either).
 */
export function refuseOtherRecord(body: AdminBody, name: string, names: readonly string[]): void {
  const given = body[name];
  if (given === undefined || given === null || names.includes(given as string)) return;
  throw new PkError(
    'PK_ERR_INVALID_REQUEST',
    `${name}: the body names another record than the path (${JSON.stringify(String(given).slice(0, 100))}); it cannot be changed: update that record at its own path`,
    { param: name },
  );
}
