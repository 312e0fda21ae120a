import { CliError, EXIT } from '../exit-codes.js';

/** A prompt collection as `GET /v1/collections` lists it (the fields the CLI reads). */
export interface ApiCollection {
  readonly id: string;
  readonly name: string;
  readonly slug: string;
  readonly parent_collection_id?: string | null;
  readonly collection_details?: {
    readonly prompts_count?: number;
    readonly child_collections_count?: number;
  };
}

/** A collection and how deep it sits in the tree (0 at the top). */
export interface CollectionTreeEntry {
  readonly collection: ApiCollection;
  readonly depth: number;
}

/**
 * The collections as a tree, depth first: each one followed by the collections in it, siblings in
 * the order given (the gateway's: by name). A collection whose parent is not among them (a search
 * that matched it and not its parent) is at the top; every collection appears once, even in a cycle.
 */
export function collectionTree(collections: readonly ApiCollection[]): CollectionTreeEntry[] {
  const ids = new Set(collections.map((collection) => collection.id));
  const children = new Map<string, ApiCollection[]>();
  const roots: ApiCollection[] = [];
  for (const collection of collections) {
    const parent = collection.parent_collection_id;
    if (parent == null || parent === collection.id || !ids.has(parent)) {
      roots.push(collection);
      continue;
    }
    const siblings = children.get(parent);
    if (siblings) siblings.push(collection);
    else children.set(parent, [collection]);
  }
  const entries: CollectionTreeEntry[] = [];
  const placed = new Set<string>();
  const visit = (collection: ApiCollection, depth: number): void => {
    if (placed.has(collection.id)) return;
    placed.add(collection.id);
    entries.push({ collection, depth });
    for (const child of children.get(collection.id) ?? []) visit(child, depth + 1);
  };
  for (const root of roots) visit(root, 0);
  // Collections in a cycle have no root above them: shown at the top rather than lost.
  for (const collection of collections) visit(collection, 0);
  return entries;
}

/** The columns of `pk prompts collections`. */
export const COLLECTION_TREE_COLUMNS = ['name', 'slug', 'prompts', 'children'] as const;

/** The rows of `pk prompts collections`: the name indented two spaces a level, slug, counts. */
export function collectionTreeRows(collections: readonly ApiCollection[]): (string | number)[][] {
  return collectionTree(collections).map(({ collection, depth }) => [
    `${'  '.repeat(depth)}${collection.name}`,
    collection.slug,
    collection.collection_details?.prompts_count ?? 0,
    collection.collection_details?.child_collections_count ?? 0,
  ]);
}

/** A command-line value that names something, else a usage error naming `what` (before any call). */
export function nonEmpty(text: string, what: string): string {
  if (text.trim() === '') throw new CliError(`${what}: expected text, got an empty value`, EXIT.usage);
  return text;
}
