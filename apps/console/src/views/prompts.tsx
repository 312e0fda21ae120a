import { useEffect, useRef, useState } from 'preact/hooks';
import { api, queryString } from '../api.js';
import { ErrorNote } from '../components/error-note.js';
import { OpenDeleteActions } from '../components/open-delete-actions.js';
import { UserText } from '../components/user-text.js';
import { useFocusFirstInput } from '../focus-first-input.js';
import { timeText } from '../log-record.js';
import { type Collection, collectionLabel } from '../prompt-collections.js';
import { type Label, versionLabels } from '../prompt-labels.js';
import {
  CollectionName,
  CollectionSelect,
  CollectionsSection,
  MovePrompt,
  useCollections,
} from './prompt-collections.js';
import { LabelBadges, LabelsSection, SetLabel, useLabels } from './prompt-labels.js';

/** A prompt or partial as the admin API answers it (`GET …/:slug`, a list row, a version). */
type ApiObject = Readonly<Record<string, unknown>>;

/** A record as `GET …/:slug` answers it: the published version's content. */
interface LibraryRecord extends ApiObject {
  readonly slug: string;
  readonly name: string;
  readonly latest_version: number;
  readonly last_updated_at: string | null;
}

/** One version (`GET …/:slug/versions`). */
interface LibraryVersion extends ApiObject {
  readonly id: string;
  readonly string: string;
  readonly created_at: string;
}

/** An open record: what requests get, and the newest version a new one starts from. */
interface OpenRecord {
  readonly record: LibraryRecord;
  readonly latest: LibraryVersion;
}

/**
 * What tells prompts and partials apart in the view: their API path, their field names (a prompt's
 * `prompt_version`, a partial's `version`) and whether they carry a model and parameters.
 */
interface LibraryKind {
  readonly noun: 'prompt' | 'partial';
  readonly base: string;
  /** The version number an object names: a record's published one, a version's own, an update's new one. */
  readonly version: (object: ApiObject) => number;
  readonly description: (version: ApiObject) => unknown;
  readonly withModel: boolean;
  readonly starter: string;
  /** How an app uses one, for the notice after a save. */
  readonly use: (slug: string) => string;
}

/** A new prompt's template: chat messages with a variable, the form Portkey's prompt studio keeps. */
export const PROMPT_STARTER = JSON.stringify(
  [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: '{{question}}' },
  ],
  null,
  2,
);

const PROMPTS: LibraryKind = {
  noun: 'prompt',
  base: '/prompts',
  version: (record) => record.prompt_version as number,
  description: (version) => version.prompt_version_description,
  withModel: true,
  starter: PROMPT_STARTER,
  use: (slug) => `prompts.completions.create({ promptID: "${slug}", variables })`,
};

const PARTIALS: LibraryKind = {
  noun: 'partial',
  base: '/prompts/partials',
  version: (record) => record.version as number,
  description: (version) => version.description,
  withModel: false,
  starter: 'Answer briefly and kindly.',
  use: (slug) => `{{> ${slug}}} in a prompt's template`,
};

/** What is wrong with the parameters' text in the page (the gateway checks the rest on save), or null. */
export function parametersProblem(source: string): string | null {
  if (source.trim() === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (error) {
    return `parameters: not JSON: ${(error as Error).message}`;
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? null
    : 'parameters: expected an object such as { "temperature": 0.2, "max_tokens": 256 }';
}

const optional = (value: string): string | null => (value.trim() === '' ? null : value.trim());
const pathOf = (kind: LibraryKind, slug: string) => `${kind.base}/${encodeURIComponent(slug)}`;

function Editor(props: {
  kind: LibraryKind;
  open: OpenRecord | null;
  /** The collections a new prompt can go in (null while loading), or undefined for partials. */
  collections?: readonly Collection[] | null;
  /** The collection a new one starts in (the list's filter), '' for none. */
  collection?: string;
  onSaved: (slug: string, version: number, published: number) => void;
}) {
  const { kind } = props;
  // A save the gateway refuses is said here, by the button: the view's error line is above the list.
  const [error, setError] = useState<unknown>(null);
  const record = props.open?.record ?? null;
  // A new version starts from the newest one, published or not.
  const base = props.open?.latest ?? null;
  const id = (field: string) => `${kind.noun}-${field}`;
  const [name, setName] = useState(record?.name ?? '');
  const [slug, setSlug] = useState('');
  const [virtualKey, setVirtualKey] = useState((base?.virtual_key as string | null) ?? '');
  const [model, setModel] = useState((base?.model as string | null) ?? '');
  const [parameters, setParameters] = useState(base ? JSON.stringify(base.parameters ?? {}, null, 2) : '{}');
  const [template, setTemplate] = useState(base?.string ?? kind.starter);
  const [description, setDescription] = useState('');
  const [collection, setCollection] = useState(props.collection ?? '');
  const problem = kind.withModel ? parametersProblem(parameters) : null;
  const form = useFocusFirstInput();
  const save = async (event: Event) => {
    event.preventDefault();
    setError(null);
    const content = {
      string: template,
      ...(kind.withModel
        ? {
            parameters: parameters.trim() === '' ? {} : (JSON.parse(parameters) as unknown),
            model: optional(model),
            virtual_key: optional(virtualKey),
          }
        : {}),
      ...(optional(description) === null ? {} : { version_description: description.trim() }),
    };
    try {
      if (record) {
        const answer = await api<ApiObject>(pathOf(kind, record.slug), {
          method: 'PUT',
          body: { name, ...content },
        });
        const version = kind.version(answer);
        props.onSaved(record.slug, version, kind.version(record));
      } else {
        const answer = await api<{ slug: string }>(kind.base, {
          method: 'POST',
          body: {
            name,
            ...content,
            ...(optional(slug) === null ? {} : { slug: slug.trim() }),
            ...(collection === '' ? {} : { collection_id: collection }),
          },
        });
        props.onSaved(answer.slug, 1, 1);
      }
    } catch (caught) {
      setError(caught);
    }
  };
  const title = record ? `New version of ${record.slug}` : `Create a ${kind.noun}`;
  const field = (setter: (value: string) => void) => (event: Event) =>
    setter((event.currentTarget as HTMLInputElement | HTMLTextAreaElement).value);
  return (
    <form ref={form} class="card" onSubmit={save} aria-label={title}>
      <h2>{title}</h2>
      <label for={id('name')}>
        Name
        <input id={id('name')} required value={name} onInput={field(setName)} />
      </label>
      {record ? null : (
        <label for={id('slug')}>
          Slug (optional: made from the name)
          <input id={id('slug')} autocomplete="off" value={slug} onInput={field(setSlug)} />
        </label>
      )}
      {record || props.collections === undefined ? null : (
        <label for={id('collection')}>
          Collection (optional)
          <CollectionSelect
            id={id('collection')}
            value={collection}
            noneLabel="None"
            collections={props.collections}
            onChange={setCollection}
          />
        </label>
      )}
      {kind.withModel ? (
        <>
          <label for={id('virtual-key')}>
            Virtual key or provider slug
            <input
              id={id('virtual-key')}
              autocomplete="off"
              value={virtualKey}
              onInput={field(setVirtualKey)}
            />
          </label>
          <label for={id('model')}>
            Model
            <input id={id('model')} autocomplete="off" value={model} onInput={field(setModel)} />
          </label>
          <label for={id('parameters')}>
            Parameters (JSON)
            <textarea
              id={id('parameters')}
              rows={4}
              spellcheck={false}
              value={parameters}
              aria-describedby={id('parameters-problem')}
              onInput={field(setParameters)}
            />
          </label>
          <p
            id={id('parameters-problem')}
            role="status"
            class={problem ? 'bad' : 'good'}
            data-testid="prompt-parameters-status"
          >
            {problem ?? 'Valid parameters.'}
          </p>
        </>
      ) : null}
      <label for={id('template')}>
        Template
        <textarea
          id={id('template')}
          rows={kind.withModel ? 10 : 4}
          spellcheck={false}
          value={template}
          aria-describedby={id('template-help')}
          onInput={field(setTemplate)}
        />
      </label>
      <p id={id('template-help')} class="muted">
        {kind.withModel ? (
          <>
            Mustache: <code>{'{{question}}'}</code> is filled in with the request's <code>variables</code>,
            and <code>{'{{> slug}}'}</code> includes a partial. A JSON list of chat messages has each
            message's text filled in; any other text is one user message.
          </>
        ) : (
          <>
            A prompt includes it as <code>{'{{> slug}}'}</code> (its published version) and fills it in with
            the same variables; it may include partials too.
          </>
        )}
      </p>
      <label for={id('description')}>
        Version description (optional)
        <input
          id={id('description')}
          autocomplete="off"
          value={description}
          onInput={field(setDescription)}
        />
      </label>
      <ErrorNote error={error} reveal />
      <button type="submit" disabled={problem !== null}>
        {record ? 'Save as a new version' : `Create ${kind.noun}`}
      </button>
    </form>
  );
}

/**
 * The versions of an open record, newest first, each publishable; a prompt's (given `labels`) also
 * with the labels pointing at each and _Set label_.
 */
function Versions(props: {
  kind: LibraryKind;
  record: LibraryRecord;
  versions: readonly LibraryVersion[];
  /** The labels to offer (null while loading), or undefined for partials, which take none. */
  labels: readonly Label[] | null | undefined;
  onPublished: () => void;
  onLabelled: () => void;
}) {
  const { kind, record } = props;
  /** A refused publish or label, said below the versions (the view's error line is out of view). */
  const [error, setError] = useState<unknown>(null);
  const published = kind.version(record);
  const labelled = props.labels !== undefined;
  const publish = async (version: number) => {
    setError(null);
    try {
      await api(`${pathOf(kind, record.slug)}/makeDefault`, { method: 'PUT', body: { version } });
      props.onPublished();
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <>
      <table class="data">
        <caption>Versions of {record.slug}</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Description</th>
            <th scope="col">Created</th>
            <th scope="col">Requests get</th>
            {labelled ? (
              <>
                <th scope="col">Labels</th>
                <th scope="col">Set label</th>
              </>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {props.versions.map((version) => {
            const number = kind.version(version);
            const description = kind.description(version);
            return (
              <tr key={version.id}>
                <td class="mono">{number}</td>
                <td>{typeof description === 'string' && description !== '' ? description : '-'}</td>
                <td>{timeText(version.created_at)}</td>
                <td>
                  {number === published ? (
                    <strong>published</strong>
                  ) : (
                    <button
                      type="button"
                      onClick={() => publish(number)}
                      aria-label={`Publish version ${number} of ${record.slug}`}
                    >
                      Publish
                    </button>
                  )}
                </td>
                {labelled ? (
                  <>
                    <td>
                      <LabelBadges names={versionLabels(version)} />
                    </td>
                    <td>
                      <SetLabel
                        slug={record.slug}
                        versionId={version.id}
                        number={number}
                        pointing={versionLabels(version)}
                        labels={props.labels ?? null}
                        onSet={() => {
                          setError(null);
                          props.onLabelled();
                        }}
                        onError={setError}
                      />
                    </td>
                  </>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
      <ErrorNote error={error} reveal />
    </>
  );
}

/**
 * One kind's part of the view: the list, create, _Open_ to save a new version (requests keep getting
 * the published one), the versions with _Publish_, delete; a prompt's collection too (given
 * `collections`): shown in its row, chosen when made, changed once opened, and the list filtered by one.
 */
function Library(props: {
  kind: LibraryKind;
  heading: 1 | 2;
  title: string;
  /** The labels a prompt's versions can be given (null while loading); partials take none. */
  labels?: readonly Label[] | null;
  /** The collections prompts can be in (null while loading); partials are in none. */
  collections?: readonly Collection[] | null;
  /** Called after a record is made, moved or deleted (what the collections hold changed). */
  onChanged?: () => unknown;
}) {
  const { kind } = props;
  const collected = props.collections !== undefined;
  const [records, setRecords] = useState<LibraryRecord[] | null>(null);
  const [open, setOpen] = useState<(OpenRecord & { versions: LibraryVersion[] }) | 'new' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<{ slug: string; version: number; published: number } | null>(null);
  /** The collection whose prompts the list shows (its id), '' for every prompt. */
  const [filter, setFilter] = useState('');
  const editorKey = useRef(0);
  // Only the newest list asked for is shown (the filter may change while one is on its way).
  const asked = useRef(0);
  const load = () => {
    const ask = ++asked.current;
    return api<{ data: LibraryRecord[] }>(`${kind.base}${queryString([['collection_id', filter]])}`)
      .then((list) => {
        if (ask === asked.current) setRecords(list.data);
      })
      .catch(setError);
  };
  useEffect(() => {
    void load();
  }, [filter]);
  // A collection deleted while the list shows it: back to every prompt.
  useEffect(() => {
    if (filter !== '' && props.collections && !props.collections.some((each) => each.id === filter))
      setFilter('');
  }, [props.collections]);
  // The editor starts afresh (a new key) together with what it edits, never before it is loaded.
  const openRecord = async (slug: string | 'new') => {
    setError(null);
    if (slug === 'new') {
      editorKey.current += 1;
      return setOpen('new');
    }
    try {
      const record = await api<LibraryRecord>(pathOf(kind, slug));
      const versions = (await api<{ data: LibraryVersion[] }>(`${pathOf(kind, slug)}/versions`)).data;
      const latest = versions[0];
      if (!latest) throw new Error(`the ${kind.noun} ${slug} has no versions`);
      editorKey.current += 1;
      setOpen({ record, latest, versions });
    } catch (caught) {
      setError(caught);
    }
  };
  // The versions table again (the editor keeps what is being typed): after a label moved, or changed.
  const reloadVersions = async (slug: string) => {
    try {
      const versions = (await api<{ data: LibraryVersion[] }>(`${pathOf(kind, slug)}/versions`)).data;
      setOpen((current) =>
        current !== null && current !== 'new' && current.record.slug === slug
          ? { ...current, versions }
          : current,
      );
    } catch (caught) {
      setError(caught);
    }
  };
  const openSlug = open !== null && open !== 'new' ? open.record.slug : null;
  useEffect(() => {
    if (openSlug !== null && props.labels) void reloadVersions(openSlug);
  }, [props.labels]);
  const remove = async (slug: string) => {
    if (!window.confirm(`Delete the ${kind.noun} ${slug} and every version of it?`)) return;
    setError(null);
    try {
      await api(pathOf(kind, slug), { method: 'DELETE' });
      if (open !== 'new' && open?.record.slug === slug) setOpen(null);
      await load();
      props.onChanged?.();
    } catch (caught) {
      setError(caught);
    }
  };
  const titleId = `${kind.noun}s-title`;
  const Heading = props.heading === 1 ? 'h1' : 'h2';
  const columns = (kind.withModel ? 7 : 6) + (collected ? 1 : 0);
  return (
    <section aria-labelledby={titleId}>
      <Heading id={titleId}>{props.title}</Heading>
      <ErrorNote error={error} />
      {saved ? (
        <p class="notice" role="status">
          Saved version {saved.version} of <code data-testid={`saved-${kind.noun}`}>{saved.slug}</code>.{' '}
          {saved.version === saved.published
            ? 'Requests get it now: '
            : `Requests get version ${saved.published} until you publish it: `}
          <code>{kind.use(saved.slug)}</code>.
        </p>
      ) : null}
      <div class="toolbar">
        <button type="button" onClick={() => openRecord('new')}>
          New {kind.noun}
        </button>
        {collected ? (
          <label class="inline" for={`${kind.noun}s-collection-filter`}>
            Filter by collection
            <CollectionSelect
              id={`${kind.noun}s-collection-filter`}
              value={filter}
              noneLabel="All collections"
              collections={props.collections ?? null}
              onChange={setFilter}
            />
          </label>
        ) : null}
      </div>
      {records === null ? (
        error ? null : (
          <p>Loading…</p>
        )
      ) : (
        <table class="data">
          <caption>{props.title}</caption>
          <thead>
            <tr>
              <th scope="col">Slug</th>
              <th scope="col">Name</th>
              {collected ? <th scope="col">Collection</th> : null}
              {kind.withModel ? <th scope="col">Model</th> : null}
              <th scope="col">Published</th>
              <th scope="col">Latest</th>
              <th scope="col">Updated</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {records.length === 0 ? (
              <tr>
                <td colSpan={columns} class="muted">
                  {filter === '' ? (
                    <>
                      None yet: <em>New {kind.noun}</em> makes one.
                    </>
                  ) : (
                    <>
                      None in <UserText value={collectionLabel(filter, props.collections ?? []) ?? filter} />.
                    </>
                  )}
                </td>
              </tr>
            ) : null}
            {records.map((record) => (
              <tr key={record.slug}>
                <td class="mono">{record.slug}</td>
                <td>
                  <UserText value={record.name} />
                </td>
                {collected ? (
                  <td>
                    <CollectionName label={collectionLabel(record.collection_id, props.collections ?? [])} />
                  </td>
                ) : null}
                {kind.withModel ? <td class="mono">{(record.model as string | null) ?? '-'}</td> : null}
                <td class="mono">{kind.version(record)}</td>
                <td class="mono">{record.latest_version}</td>
                <td>{timeText(record.last_updated_at)}</td>
                <OpenDeleteActions
                  slug={record.slug}
                  managedBy={null}
                  onOpen={() => openRecord(record.slug)}
                  onDelete={() => remove(record.slug)}
                />
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open ? (
        <Editor
          key={editorKey.current}
          kind={kind}
          open={open === 'new' ? null : open}
          {...(collected ? { collections: props.collections, collection: filter } : {})}
          onSaved={(slug, version, published) => {
            setSaved({ slug, version, published });
            setError(null);
            void load();
            void openRecord(slug);
            if (open === 'new') props.onChanged?.();
          }}
        />
      ) : null}
      {collected && open && open !== 'new' ? (
        <MovePrompt
          key={`move-${editorKey.current}`}
          slug={open.record.slug}
          collectionId={(open.record.collection_id as string | null | undefined) ?? null}
          collections={props.collections ?? null}
          onMoved={(collectionId) => {
            setError(null);
            setOpen((current) =>
              current !== null && current !== 'new' && current.record.slug === open.record.slug
                ? { ...current, record: { ...current.record, collection_id: collectionId } }
                : current,
            );
            void load();
            props.onChanged?.();
          }}
        />
      ) : null}
      {open && open !== 'new' ? (
        <Versions
          kind={kind}
          record={open.record}
          versions={open.versions}
          labels={props.labels}
          onLabelled={() => {
            setError(null);
            void reloadVersions(open.record.slug);
          }}
          onPublished={() => {
            setSaved(null);
            void load();
            void openRecord(open.record.slug);
          }}
        />
      ) : null}
    </section>
  );
}

/**
 * Prompts (admin): Portkey's prompt library, the collections prompts are kept in, the partials
 * prompts include, and the labels that point at prompt versions. Apps run a prompt with the SDK's
 * `prompts.completions.create({ promptID: slug, variables })`, or `slug@label` for the version a
 * label points at.
 */
export function PromptsView() {
  const { labels, error, reload } = useLabels();
  const collections = useCollections();
  return (
    <>
      <Library
        kind={PROMPTS}
        heading={1}
        title="Prompts"
        labels={labels}
        collections={collections.collections}
        onChanged={collections.reload}
      />
      <CollectionsSection
        collections={collections.collections}
        loadError={collections.error}
        onChanged={collections.reload}
      />
      <Library kind={PARTIALS} heading={2} title="Partials" />
      <LabelsSection labels={labels} loadError={error} onChanged={reload} />
    </>
  );
}
