import { diffLines } from 'diff';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ActorKey, actorLabel } from '../actor-label.js';
import { api } from '../api.js';
import { EmptyRow } from '../components/empty-row.js';
import { ErrorNote } from '../components/error-note.js';
import { Link } from '../components/link.js';
import { OpenDeleteActions } from '../components/open-delete-actions.js';
import { UserText } from '../components/user-text.js';
import { configSaveOf } from '../config-save.js';
import { type ConfigIssue, validateConfigText } from '../config-validation.js';
import { useFocusFirstInput } from '../focus-first-input.js';
import { text, timeText } from '../log-record.js';
import { navigate } from '../router.js';

interface ConfigObject {
  readonly slug: string;
  readonly name: string;
  readonly version: number | null;
  readonly version_id: string | null;
  readonly config: unknown;
  readonly managed_by: string | null;
  readonly last_updated_at: string | null;
}
interface ConfigVersion {
  readonly version: number;
  readonly version_id: string;
  readonly is_latest: boolean;
  readonly config: unknown;
  readonly created_at: string;
  readonly created_by: string | null;
  /** The gateway key `created_by` names (absent from gateways before it was added). */
  readonly created_by_key?: ActorKey | null;
  readonly restored_from_version_id: string | null;
}

const pretty = (value: unknown) => JSON.stringify(value, null, 2);
const STARTER = pretty({
  strategy: { mode: 'fallback' },
  targets: [{ provider: 'openai' }, { provider: 'anthropic' }],
});

/** The editor's problems: the schema's at once, the gateway's `parseConfig` check after a pause in typing. */
function useIssues(source: string): { issues: ConfigIssue[]; checking: boolean } {
  const [serverIssues, setServerIssues] = useState<ConfigIssue[]>([]);
  const [checking, setChecking] = useState(false);
  const local = validateConfigText(source);
  const localKey = JSON.stringify(local);
  useEffect(() => {
    setServerIssues([]);
    if (local.length > 0) return undefined;
    setChecking(true);
    const timer = setTimeout(() => {
      api<{ ok: boolean; issues: ConfigIssue[] }>('/config-check', {
        method: 'POST',
        body: { config: source },
      })
        .then((answer) => setServerIssues(answer.issues))
        .catch(() => undefined)
        .finally(() => setChecking(false));
    }, 300);
    return () => clearTimeout(timer);
  }, [source, localKey]);
  return { issues: local.length > 0 ? local : serverIssues, checking };
}

function Issues(props: { issues: readonly ConfigIssue[]; checking: boolean }) {
  if (props.issues.length === 0) {
    return (
      <p class="good" role="status" data-testid="config-valid">
        {props.checking ? 'Checking…' : 'Valid config.'}
      </p>
    );
  }
  return (
    <ul class="issues" role="status" aria-label="Problems">
      {props.issues.map((issue) => (
        <li key={`${issue.path} ${issue.message}`} data-testid="config-issue">
          <code>{issue.path}</code> {issue.message}
        </li>
      ))}
    </ul>
  );
}

/** A line diff of two versions, added and removed lines marked (and said, for screen readers). */
export function Diff(props: { before: string; after: string }) {
  return (
    <pre class="diff">
      {diffLines(props.before, props.after).map((part, index) => (
        <span key={index} class={part.added ? 'added' : part.removed ? 'removed' : ''}>
          {part.value
            .replace(/\n$/, '')
            .split('\n')
            .map((line) => `${part.added ? '+ ' : part.removed ? '- ' : '  '}${line}\n`)
            .join('')}
        </span>
      ))}
    </pre>
  );
}

/**
 * The config editor. It opens below the list, which can be longer than the window: the keyboard focus
 * goes to its first field (scrolling it into view), and a save the gateway refuses is said in the
 * editor, by its button, with what was typed kept (the view's error line is above the list, out of view).
 * Cancel (or Esc) closes it, the edits discarded, and the focus goes back to the button that opened it.
 */
function Editor(props: {
  config: ConfigObject | null;
  onSaved: (slug: string) => void;
  /** Closes the editor without saving. */
  onCancel: () => void;
  /** False when shown again after a rollback: the focus stays on the button pressed. */
  focusOnOpen: boolean;
}) {
  const [source, setSource] = useState(props.config ? pretty(props.config.config) : STARTER);
  const [name, setName] = useState(props.config?.name ?? '');
  const [unchanged, setUnchanged] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const card = useFocusFirstInput(props.onCancel, props.focusOnOpen);
  const { issues, checking } = useIssues(source);
  const readOnly = props.config?.managed_by != null;
  const save = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      if (props.config) {
        const change = configSaveOf(props.config, { name, source });
        setUnchanged(change.kind === 'unchanged');
        if (change.kind === 'unchanged') return;
        await api(`/configs/${encodeURIComponent(props.config.slug)}`, { method: 'PUT', body: change.body });
        props.onSaved(props.config.slug);
      } else {
        const answer = await api<{ slug: string }>('/configs', {
          method: 'POST',
          body: { name, config: source },
        });
        props.onSaved(answer.slug);
      }
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <form
      ref={card}
      class="card"
      onSubmit={save}
      aria-label={props.config ? `Edit ${props.config.slug}` : 'Create a config'}
    >
      <h2>{props.config ? `Edit ${props.config.slug}` : 'Create a config'}</h2>
      {props.config ? (
        <p class="muted">
          {/* Its own address: shared, it opens this config. */}
          <Link to={configPath(props.config.slug)}>Link to this config</Link>
        </p>
      ) : null}
      {readOnly ? (
        <p class="muted">Managed by the settings file {props.config?.managed_by}: read-only here.</p>
      ) : null}
      <label for="config-name">
        Name
        <input
          id="config-name"
          required
          value={name}
          readOnly={readOnly}
          onInput={(event) => {
            setUnchanged(false);
            setName((event.currentTarget as HTMLInputElement).value);
          }}
        />
      </label>
      <label for="config-source">
        Config (JSON)
        <textarea
          id="config-source"
          rows={16}
          spellcheck={false}
          readOnly={readOnly}
          value={source}
          aria-describedby="config-problems"
          onInput={(event) => {
            setUnchanged(false);
            setSource((event.currentTarget as HTMLTextAreaElement).value);
          }}
        />
      </label>
      <div id="config-problems">
        <Issues issues={issues} checking={checking} />
      </div>
      <ErrorNote error={error} reveal />
      {readOnly ? null : (
        <button type="submit" disabled={issues.length > 0}>
          {props.config ? 'Save a new version' : 'Create config'}
        </button>
      )}{' '}
      <button type="button" onClick={props.onCancel}>
        {readOnly ? 'Close' : 'Cancel'}
      </button>
      <p role="status" class="muted" data-testid="config-unchanged">
        {unchanged && props.config
          ? `Nothing to save: the config and its name are as saved in v${props.config.version ?? 1}.`
          : null}
      </p>
    </form>
  );
}

/** Who saved a version: a gateway key by its name, its id on hover. */
function ActorCell(props: { version: ConfigVersion }) {
  const { label, title } = actorLabel(props.version.created_by, props.version.created_by_key);
  return <td title={title}>{text(label)}</td>;
}

function Versions(props: { config: ConfigObject; onRestored: () => void }) {
  const [versions, setVersions] = useState<ConfigVersion[] | null>(null);
  /** A versions list not read, or a refused rollback: said in this card, by its buttons. */
  const [error, setError] = useState<unknown>(null);
  const [selected, setSelected] = useState<string | null>(null);
  /** What the last rollback did, said by its button. */
  const [restored, setRestored] = useState<string | null>(null);
  useEffect(() => {
    if (props.config.managed_by) return;
    api<{ data: ConfigVersion[] }>(`/configs/${encodeURIComponent(props.config.slug)}/versions`)
      .then((list) => setVersions(list.data))
      .catch(setError);
  }, [props.config.slug, props.config.version_id]);
  if (props.config.managed_by) return null;
  if (!versions) return error ? <ErrorNote error={error} reveal /> : null;
  const latest = versions.find((version) => version.is_latest);
  const chosen = versions.find((version) => version.version_id === selected);
  const restore = async (version: ConfigVersion) => {
    setRestored(null);
    setError(null);
    try {
      const answer = await api<{ version: number }>(
        `/configs/${encodeURIComponent(props.config.slug)}/versions/${version.version}/restore`,
        { method: 'POST', body: {} },
      );
      setRestored(
        `Rolled back to v${version.version}: saved as v${answer.version}, now the current version.`,
      );
      props.onRestored();
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <section class="card" aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      <table class="data">
        <caption class="visually-hidden">Versions of {props.config.slug}</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Created</th>
            <th scope="col">By</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((version) => (
            <tr key={version.version_id}>
              <td>
                v{version.version}
                {version.is_latest ? ' (current)' : ''}
              </td>
              <td>{timeText(version.created_at)}</td>
              <ActorCell version={version} />
              <td>
                {version.is_latest ? null : (
                  <>
                    <button type="button" onClick={() => setSelected(version.version_id)}>
                      Diff v{version.version} with current
                    </button>{' '}
                    <button type="button" onClick={() => restore(version)}>
                      Roll back to v{version.version}
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorNote error={error} reveal />
      <p role="status" class="muted" data-testid="config-restored">
        {restored}
      </p>
      {chosen && latest ? (
        <>
          <h3>
            v{chosen.version} → v{latest.version}
          </h3>
          <Diff before={pretty(chosen.config)} after={pretty(latest.config)} />
        </>
      ) : null}
    </section>
  );
}

/** A config's own address in the console (`/configs/<slug>`): the view opens it there. */
export const configPath = (slug: string) => `/configs/${encodeURIComponent(slug)}`;

/**
 * Saved configs (admin): list, create, edit with validation as you type, versions with diff and
 * rollback, delete (after asking). An open config has its own address (`/console/configs/<slug>`),
 * which opens it when followed or shared.
 */
export function ConfigsView(props: { slug?: string | undefined }) {
  const [configs, setConfigs] = useState<ConfigObject[] | null>(null);
  const [current, setCurrent] = useState<ConfigObject | null>(null);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  /** Whether the editor takes the focus when it opens: not when shown again after a rollback. */
  const [focusEditor, setFocusEditor] = useState(true);
  const editorKey = useRef(0);
  const load = () =>
    api<{ data: ConfigObject[] }>('/configs')
      .then((list) => setConfigs(list.data))
      .catch(setError);
  const open = async (slug: string, focus = true) => {
    setError(null);
    setCreating(false);
    // The address names the open config (replaced: the view keeps its state).
    navigate(configPath(slug), true);
    setFocusEditor(focus);
    editorKey.current += 1;
    try {
      setCurrent(await api<ConfigObject>(`/configs/${encodeURIComponent(slug)}`));
    } catch (caught) {
      setError(caught);
    }
  };
  useEffect(() => {
    void load();
    if (props.slug !== undefined) void open(props.slug);
  }, []);
  /** Closes the editor, its edits discarded; the address is the list's again. */
  const cancel = () => {
    setCurrent(null);
    setCreating(false);
    navigate('/configs', true);
  };
  const remove = async (slug: string) => {
    if (!window.confirm(`Delete the config ${slug}? Requests that name it will fail.`)) return;
    setError(null);
    try {
      await api(`/configs/${encodeURIComponent(slug)}`, { method: 'DELETE' });
      if (current?.slug === slug) cancel();
      await load();
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <section aria-labelledby="configs-title">
      <h1 id="configs-title">Configs</h1>
      <ErrorNote error={error} />
      {saved ? (
        <p class="notice" role="status">
          Saved the config <code data-testid="saved-slug">{saved}</code>: send it in{' '}
          <code>x-portkey-config</code>.
        </p>
      ) : null}
      <button
        type="button"
        onClick={() => {
          setCurrent(null);
          setCreating(true);
          navigate('/configs', true);
          setFocusEditor(true);
          editorKey.current += 1;
        }}
      >
        New config
      </button>
      {configs === null ? (
        error ? null : (
          <p>Loading…</p>
        )
      ) : (
        <table class="data">
          <caption>Saved configs</caption>
          <thead>
            <tr>
              <th scope="col">Slug</th>
              <th scope="col">Name</th>
              <th scope="col">Version</th>
              <th scope="col">Updated</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {configs.length === 0 ? (
              <EmptyRow columns={5}>
                None yet: <em>New config</em> makes one.
              </EmptyRow>
            ) : null}
            {configs.map((config) => (
              <tr key={config.slug}>
                <td class="mono">{config.slug}</td>
                <td>
                  <UserText value={config.name} />
                </td>
                <td>{text(config.version)}</td>
                <td>{timeText(config.last_updated_at)}</td>
                <OpenDeleteActions
                  slug={config.slug}
                  managedBy={config.managed_by}
                  onOpen={() => open(config.slug)}
                  onDelete={() => remove(config.slug)}
                />
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {creating || current ? (
        <Editor
          key={current ? `${current.slug}@${current.version_id}` : `new-${editorKey.current}`}
          config={current}
          focusOnOpen={focusEditor}
          onCancel={cancel}
          onSaved={(slug) => {
            setSaved(slug);
            setError(null);
            void load();
            void open(slug);
          }}
        />
      ) : null}
      {current ? (
        <Versions
          config={current}
          onRestored={() => {
            // The list shows each config's version: the restore made a new one.
            void load();
            void open(current.slug, false);
          }}
        />
      ) : null}
    </section>
  );
}
