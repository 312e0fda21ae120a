/** A prompt collection as `GET /collections` answers it (the fields the console uses). */
export interface Collection {
  readonly id: string;
  readonly name: string;
  readonly slug: string;
  /** The collection it sits in, or null at the top. */
  readonly parent_collection_id: string | null;
  readonly collection_details: {
    readonly prompts_count: number;
    readonly child_collections_count: number;
  };
}

/** A collection in the tree, with the collections in it (in the list's order: by name). */
export interface CollectionNode {
  readonly collection: Collection;
  readonly children: CollectionNode[];
}

/** A collection in the tree's reading order, with how deep it sits and the names down to it. */
export interface CollectionEntry {
  readonly collection: Collection;
  readonly depth: number;
  /** `Support / Billing`: the names from the top, for a select's option. */
  readonly path: string;
}

/**
 * The collections as a tree, from the flat list: each under its parent, in the list's order. One
 * whose parent is not in the list (or that would sit inside itself) is at the top, so none is lost.
 */
export function collectionTree(collections: readonly Collection[]): CollectionNode[] {
  const byId = new Map(collections.map((collection) => [collection.id, collection]));
  // A parent chain that comes back to a collection is cut there: that collection goes to the top.
  const inCycle = (collection: Collection) => {
    const seen = new Set<string>([collection.id]);
    for (let parent = collection.parent_collection_id; parent !== null; ) {
      if (seen.has(parent)) return true;
      seen.add(parent);
      parent = byId.get(parent)?.parent_collection_id ?? null;
    }
    return false;
  };
  const nodes = new Map(
    collections.map((collection): [string, CollectionNode] => [collection.id, { collection, children: [] }]),
  );
  const roots: CollectionNode[] = [];
  for (const collection of collections) {
    const node = nodes.get(collection.id) as CollectionNode;
    const parent =
      collection.parent_collection_id === null ? undefined : nodes.get(collection.parent_collection_id);
    if (parent === undefined || parent === node || inCycle(collection)) roots.push(node);
    else parent.children.push(node);
  }
  return roots;
}

/** The tree in reading order (each collection, then those in it), with depths and paths. */
export function flattenTree(nodes: readonly CollectionNode[], depth = 0, above = ''): CollectionEntry[] {
  return nodes.flatMap((node) => {
    const path = above === '' ? node.collection.name : `${above} / ${node.collection.name}`;
    return [{ collection: node.collection, depth, path }, ...flattenTree(node.children, depth + 1, path)];
  });
}

/** The collection a prompt's `collection_id` names, by id or by slug (as the gateway counts it). */
export function collectionOf(
  collectionId: unknown,
  collections: readonly Collection[],
): Collection | undefined {
  if (typeof collectionId !== 'string' || collectionId === '') return undefined;
  return (
    collections.find((collection) => collection.id === collectionId) ??
    collections.find((collection) => collection.slug === collectionId)
  );
}

/**
 * What a prompt's row shows for its `collection_id`: the collection's name, the value as given when
 * it names no collection made here, or null when the prompt is in none.
 */
export function collectionLabel(collectionId: unknown, collections: readonly Collection[]): string | null {
  if (typeof collectionId !== 'string' || collectionId === '') return null;
  return collectionOf(collectionId, collections)?.name ?? collectionId;
}

/** `2 prompts, 1 child collection`: what a collection holds, in words. */
export function contentsText(collection: Collection): string {
  const { prompts_count: prompts, child_collections_count: children } = collection.collection_details;
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  return `${count(prompts, 'prompt')}, ${count(children, 'child collection')}`;
}
