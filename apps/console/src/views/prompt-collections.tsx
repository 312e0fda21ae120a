import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorNote } from '../components/error-note.js';
import { UserText } from '../components/user-text.js';
import { useFocusFirstInput } from '../focus-first-input.js';
import { showBidiControls } from '../log-record.js';
import {
  type Collection,
  type CollectionNode,
  collectionLabel,
  collectionOf,
  collectionTree,
  contentsText,
  flattenTree,
} from '../prompt-collections.js';

/** The collections (`GET /collections`), loaded once and again after a change; null while loading. */
export function useCollections(): {
  collections: Collection[] | null;
  error: unknown;
  reload: () => Promise<void>;
} {
  const [collections, setCollections] = useState<Collection[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const reload = () =>
    api<{ data: Collection[] }>('/collections')
      .then((list) => {
        setCollections(list.data);
        setError(null);
      })
      .catch(setError);
  useEffect(() => {
    void reload();
  }, []);
  return { collections, error, reload };
}

/**
 * A prompt's collection as its row shows it: the name isolated (a right-to-left name cannot reorder
 * the row), its direction controls shown as escapes, or `-` for none.
 */
export function CollectionName(props: { label: string | null }) {
  return props.label === null ? <>-</> : <UserText value={props.label} />;
}

/**
 * A select of the collections in tree order, each as its path (`Support / Billing`), after a first
 * option for none (`noneLabel`, value ''). A `value` that names no collection made here (a prompt's
 * `collection_id` as given) is offered as itself, so the select shows what the prompt has.
 */
export function CollectionSelect(props: {
  id: string;
  value: string;
  noneLabel: string;
  collections: readonly Collection[] | null;
  onChange: (value: string) => void;
  describedBy?: string;
}) {
  const entries = flattenTree(collectionTree(props.collections ?? []));
  const named = collectionOf(props.value, props.collections ?? []);
  const value = named?.id ?? props.value;
  return (
    <select
      id={props.id}
      value={value}
      aria-describedby={props.describedBy}
      onChange={(event) => props.onChange((event.currentTarget as HTMLSelectElement).value)}
    >
      <option value="">{props.noneLabel}</option>
      {value !== '' && named === undefined ? (
        <option value={value}>{showBidiControls(value)} (not a collection here)</option>
      ) : null}
      {entries.map((entry) => (
        <option key={entry.collection.id} value={entry.collection.id}>
          {showBidiControls(entry.path)}
        </option>
      ))}
    </select>
  );
}

/**
 * An open prompt's collection: a select and _Move_ (`PUT /prompts/:slug {collection_id}`, which makes
 * no new version; none sends null).
 */
export function MovePrompt(props: {
  slug: string;
  collectionId: string | null;
  collections: readonly Collection[] | null;
  onMoved: (collectionId: string | null) => void;
}) {
  const [chosen, setChosen] = useState(props.collectionId ?? '');
  const [moved, setMoved] = useState<string | null>(null);
  /** A refused move, said by the Move button (the view's error line is above the list, out of view). */
  const [error, setError] = useState<unknown>(null);
  const current = props.collectionId ?? '';
  const unchanged =
    (collectionOf(chosen, props.collections ?? [])?.id ?? chosen) ===
    (collectionOf(current, props.collections ?? [])?.id ?? current);
  const move = async (event: Event) => {
    event.preventDefault();
    const collectionId = chosen === '' ? null : chosen;
    setError(null);
    try {
      await api(`/prompts/${encodeURIComponent(props.slug)}`, {
        method: 'PUT',
        body: { collection_id: collectionId },
      });
      setMoved(
        `Moved ${props.slug} to ${showBidiControls(collectionLabel(collectionId, props.collections ?? []) ?? 'no collection')}.`,
      );
      props.onMoved(collectionId);
    } catch (caught) {
      setError(caught);
    }
  };
  const title = `Collection of ${props.slug}`;
  return (
    <form class="card" onSubmit={move} aria-label={title}>
      <h3>{title}</h3>
      <label for="prompt-move-collection">
        Collection
        <CollectionSelect
          id="prompt-move-collection"
          value={chosen}
          noneLabel="None"
          collections={props.collections}
          describedBy="prompt-move-help"
          onChange={(value) => {
            setChosen(value);
            setMoved(null);
            setError(null);
          }}
        />
      </label>
      <p id="prompt-move-help" class="muted">
        Moving a prompt makes no new version.
      </p>
      <ErrorNote error={error} reveal />
      <button type="submit" disabled={unchanged}>
        Move
      </button>
      <p role="status">{moved ?? ''}</p>
    </form>
  );
}

/** One collection of the tree, its _Rename_ form when asked, and the collections in it below. */
function CollectionItem(props: {
  node: CollectionNode;
  renaming: string | null;
  onRename: (id: string | null) => void;
  onRenamed: (collection: Collection, name: string) => Promise<void>;
  onDelete: (collection: Collection) => void;
}) {
  const { collection, children } = props.node;
  return (
    <li>
      {props.renaming === collection.id ? (
        <RenameForm
          collection={collection}
          onCancel={() => props.onRename(null)}
          onSave={(name) => props.onRenamed(collection, name)}
        />
      ) : (
        <div class="collection" data-testid="collection">
          <strong>
            <UserText value={collection.name} />
          </strong>
          <code class="muted">{collection.slug}</code>
          <span data-testid="collection-contents">{contentsText(collection)}</span>
          <span class="actions">
            <button
              type="button"
              onClick={() => props.onRename(collection.id)}
              aria-label={`Rename collection ${collection.name}`}
            >
              Rename
            </button>
            <button
              type="button"
              class="danger"
              onClick={() => props.onDelete(collection)}
              aria-label={`Delete collection ${collection.name}`}
            >
              Delete
            </button>
          </span>
        </div>
      )}
      {children.length > 0 ? (
        <ul class="collections" aria-label={`In ${collection.name}`}>
          {children.map((child) => (
            <CollectionItem key={child.collection.id} {...props} node={child} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

/** A collection's new name (its slug stays, so prompts and requests naming it by slug still find it). */
function RenameForm(props: {
  collection: Collection;
  onCancel: () => void;
  onSave: (name: string) => unknown;
}) {
  const [name, setName] = useState(props.collection.name);
  const form = useFocusFirstInput(props.onCancel);
  const title = `Rename collection ${props.collection.name}`;
  return (
    <form
      ref={form}
      class="pair"
      aria-label={title}
      onSubmit={(event) => {
        event.preventDefault();
        void props.onSave(name.trim());
      }}
    >
      <label class="inline" for={`rename-${props.collection.id}`}>
        New name for <UserText value={props.collection.name} />
        <input
          id={`rename-${props.collection.id}`}
          required
          autocomplete="off"
          value={name}
          onInput={(event) => setName((event.currentTarget as HTMLInputElement).value)}
        />
      </label>
      <button type="submit">Save name</button>
      <button type="button" onClick={props.onCancel}>
        Cancel
      </button>
    </form>
  );
}

/**
 * The collections, below the prompts: a tree of them (name, slug, the prompts and child collections
 * each holds), create one (in another, optionally), rename and delete one (the gateway refuses one
 * that still holds prompts or collections, saying how many: shown here).
 */
export function CollectionsSection(props: {
  collections: readonly Collection[] | null;
  loadError: unknown;
  onChanged: () => Promise<void>;
}) {
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [parent, setParent] = useState('');
  const [renaming, setRenaming] = useState<string | null>(null);
  const create = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      await api('/collections', {
        method: 'POST',
        body: { name: name.trim(), ...(parent === '' ? {} : { parent_collection_id: parent }) },
      });
      setName('');
      await props.onChanged();
    } catch (caught) {
      setError(caught);
    }
  };
  const rename = async (collection: Collection, next: string) => {
    setError(null);
    try {
      await api(`/collections/${encodeURIComponent(collection.id)}`, { method: 'PUT', body: { name: next } });
      setRenaming(null);
      await props.onChanged();
    } catch (caught) {
      setError(caught);
    }
  };
  const remove = async (collection: Collection) => {
    if (!window.confirm(`Delete the collection ${showBidiControls(collection.name)}?`)) return;
    setError(null);
    await api(`/collections/${encodeURIComponent(collection.id)}`, { method: 'DELETE' }).catch(setError);
    if (parent === collection.id) setParent('');
    await props.onChanged();
  };
  const tree = collectionTree(props.collections ?? []);
  return (
    <section aria-labelledby="collections-title">
      <h2 id="collections-title">Collections</h2>
      <p class="muted">
        Folders of prompts, which may sit in another collection. A prompt's collection is chosen when it is
        made or from the prompt once opened; the prompts list can show one collection's.
      </p>
      <ErrorNote error={error ?? props.loadError} />
      {props.collections === null ? (
        props.loadError ? null : (
          <p>Loading…</p>
        )
      ) : tree.length === 0 ? (
        <p class="muted">None yet: create one below.</p>
      ) : (
        <ul class="collections" aria-label="Collections">
          {tree.map((node) => (
            <CollectionItem
              key={node.collection.id}
              node={node}
              renaming={renaming}
              onRename={(id) => {
                setError(null);
                setRenaming(id);
              }}
              onRenamed={rename}
              onDelete={remove}
            />
          ))}
        </ul>
      )}
      <form class="card" onSubmit={create} aria-label="Create a collection">
        <h3>Create a collection</h3>
        <label for="collection-name">
          Name
          <input
            id="collection-name"
            required
            maxLength={200}
            autocomplete="off"
            value={name}
            onInput={(event) => setName((event.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <label for="collection-parent">
          In collection (optional)
          <CollectionSelect
            id="collection-parent"
            value={parent}
            noneLabel="None: at the top"
            collections={props.collections}
            onChange={setParent}
          />
        </label>
        <button type="submit">Create collection</button>
      </form>
    </section>
  );
}
