import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorNote } from '../components/error-note.js';
import { OpenDeleteActions } from '../components/open-delete-actions.js';
import { useFocusFirstInput } from '../focus-first-input.js';
import { text } from '../log-record.js';

/** A prompt as `GET /prompts/:slug` answers it: the published version's content. */
interface PromptObject {
  readonly slug: string;
  readonly name: string;
  readonly string: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly model: string | null;
  readonly virtual_key: string | null;
  readonly prompt_version: number;
  readonly latest_version: number;
  readonly last_updated_at: string | null;
}

/** A row of `GET /prompts`. */
interface PromptListItem {
  readonly slug: string;
  readonly name: string;
  readonly model: string | null;
  readonly prompt_version: number;
  readonly latest_version: number;
  readonly last_updated_at: string | null;
}

interface PromptVersion {
  readonly id: string;
  readonly prompt_version: number;
  readonly prompt_version_description: string | null;
  readonly created_at: string;
  readonly string: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly model: string | null;
  readonly virtual_key: string | null;
}

/** An open prompt: what requests get, and the newest version a new one starts from. */
interface OpenPrompt {
  readonly prompt: PromptObject;
  readonly latest: PromptVersion;
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

function Editor(props: {
  open: OpenPrompt | null;
  onSaved: (slug: string, version: number, published: number) => void;
  onError: (error: unknown) => void;
}) {
  const prompt = props.open?.prompt ?? null;
  // A new version starts from the newest one, published or not.
  const base = props.open?.latest ?? null;
  const [name, setName] = useState(prompt?.name ?? '');
  const [slug, setSlug] = useState('');
  const [virtualKey, setVirtualKey] = useState(base?.virtual_key ?? '');
  const [model, setModel] = useState(base?.model ?? '');
  const [parameters, setParameters] = useState(base ? JSON.stringify(base.parameters, null, 2) : '{}');
  const [template, setTemplate] = useState(base?.string ?? PROMPT_STARTER);
  const [description, setDescription] = useState('');
  const problem = parametersProblem(parameters);
  const form = useFocusFirstInput();
  const save = async (event: Event) => {
    event.preventDefault();
    const content = {
      string: template,
      parameters: parameters.trim() === '' ? {} : (JSON.parse(parameters) as unknown),
      model: optional(model),
      virtual_key: optional(virtualKey),
      ...(optional(description) === null ? {} : { version_description: description.trim() }),
    };
    try {
      if (prompt) {
        const answer = await api<{ prompt_version: number }>(`/prompts/${encodeURIComponent(prompt.slug)}`, {
          method: 'PUT',
          body: { name, ...content },
        });
        props.onSaved(prompt.slug, answer.prompt_version, prompt.prompt_version);
      } else {
        const answer = await api<{ slug: string }>('/prompts', {
          method: 'POST',
          body: { name, ...content, ...(optional(slug) === null ? {} : { slug: slug.trim() }) },
        });
        props.onSaved(answer.slug, 1, 1);
      }
    } catch (error) {
      props.onError(error);
    }
  };
  const title = prompt ? `New version of ${prompt.slug}` : 'Create a prompt';
  const field = (setter: (value: string) => void) => (event: Event) =>
    setter((event.currentTarget as HTMLInputElement | HTMLTextAreaElement).value);
  return (
    <form ref={form} class="card" onSubmit={save} aria-label={title}>
      <h2>{title}</h2>
      <label for="prompt-name">
        Name
        <input id="prompt-name" required value={name} onInput={field(setName)} />
      </label>
      {prompt ? null : (
        <label for="prompt-slug">
          Slug (optional: made from the name)
          <input id="prompt-slug" autocomplete="off" value={slug} onInput={field(setSlug)} />
        </label>
      )}
      <label for="prompt-virtual-key">
        Virtual key or provider slug
        <input id="prompt-virtual-key" autocomplete="off" value={virtualKey} onInput={field(setVirtualKey)} />
      </label>
      <label for="prompt-model">
        Model
        <input id="prompt-model" autocomplete="off" value={model} onInput={field(setModel)} />
      </label>
      <label for="prompt-parameters">
        Parameters (JSON)
        <textarea
          id="prompt-parameters"
          rows={4}
          spellcheck={false}
          value={parameters}
          aria-describedby="prompt-parameters-problem"
          onInput={field(setParameters)}
        />
      </label>
      <p
        id="prompt-parameters-problem"
        role="status"
        class={problem ? 'bad' : 'good'}
        data-testid="prompt-parameters-status"
      >
        {problem ?? 'Valid parameters.'}
      </p>
      <label for="prompt-template">
        Template
        <textarea
          id="prompt-template"
          rows={10}
          spellcheck={false}
          value={template}
          aria-describedby="prompt-template-help"
          onInput={field(setTemplate)}
        />
      </label>
      <p id="prompt-template-help" class="muted">
        Mustache: <code>{'{{question}}'}</code> is filled in with the request's <code>variables</code>. A JSON
        list of chat messages has each message's text filled in; any other text is one user message.
      </p>
      <label for="prompt-description">
        Version description (optional)
        <input
          id="prompt-description"
          autocomplete="off"
          value={description}
          onInput={field(setDescription)}
        />
      </label>
      <button type="submit" disabled={problem !== null}>
        {prompt ? 'Save as a new version' : 'Create prompt'}
      </button>
    </form>
  );
}

/** The versions of an open prompt, newest first, each publishable. */
function Versions(props: {
  prompt: PromptObject;
  refreshKey: number;
  onPublished: () => void;
  onError: (error: unknown) => void;
}) {
  const { prompt } = props;
  const [versions, setVersions] = useState<PromptVersion[] | null>(null);
  useEffect(() => {
    api<{ data: PromptVersion[] }>(`/prompts/${encodeURIComponent(prompt.slug)}/versions`)
      .then((list) => setVersions(list.data))
      .catch(props.onError);
  }, [prompt.slug, props.refreshKey]);
  const publish = async (version: number) => {
    try {
      await api(`/prompts/${encodeURIComponent(prompt.slug)}/makeDefault`, {
        method: 'PUT',
        body: { version },
      });
      props.onPublished();
    } catch (error) {
      props.onError(error);
    }
  };
  if (versions === null) return <p>Loading…</p>;
  return (
    <table class="data">
      <caption>Versions of {prompt.slug}</caption>
      <thead>
        <tr>
          <th scope="col">Version</th>
          <th scope="col">Description</th>
          <th scope="col">Created</th>
          <th scope="col">Requests get</th>
        </tr>
      </thead>
      <tbody>
        {versions.map((version) => (
          <tr key={version.id}>
            <td class="mono">{version.prompt_version}</td>
            <td>{version.prompt_version_description ?? '-'}</td>
            <td>{text(version.created_at)}</td>
            <td>
              {version.prompt_version === prompt.prompt_version ? (
                <strong>published</strong>
              ) : (
                <button
                  type="button"
                  onClick={() => publish(version.prompt_version)}
                  aria-label={`Publish version ${version.prompt_version} of ${prompt.slug}`}
                >
                  Publish
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Prompts (admin): Portkey's prompt library. Listed with their model and versions; create one, save a
 * new version of one (requests keep getting the published version), publish a version, delete one.
 * Apps run them with the SDK's `prompts.completions.create({ promptID: slug, variables })`.
 */
export function PromptsView() {
  const [prompts, setPrompts] = useState<PromptListItem[] | null>(null);
  const [open, setOpen] = useState<OpenPrompt | 'new' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<{ slug: string; version: number; published: number } | null>(null);
  const editorKey = useRef(0);
  const load = () =>
    api<{ data: PromptListItem[] }>('/prompts')
      .then((list) => setPrompts(list.data))
      .catch(setError);
  useEffect(() => {
    void load();
  }, []);
  // The editor starts afresh (a new key) together with what it edits, never before it is loaded.
  const openPrompt = async (slug: string | 'new') => {
    setError(null);
    if (slug === 'new') {
      editorKey.current += 1;
      return setOpen('new');
    }
    try {
      const path = `/prompts/${encodeURIComponent(slug)}`;
      const prompt = await api<PromptObject>(path);
      const latest = await api<PromptVersion>(`${path}/versions/${prompt.latest_version}`);
      editorKey.current += 1;
      setOpen({ prompt, latest });
    } catch (caught) {
      setError(caught);
    }
  };
  const remove = async (slug: string) => {
    if (!window.confirm(`Delete the prompt ${slug} and every version of it?`)) return;
    setError(null);
    try {
      await api(`/prompts/${encodeURIComponent(slug)}`, { method: 'DELETE' });
      if (open !== 'new' && open?.prompt.slug === slug) setOpen(null);
      await load();
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <section aria-labelledby="prompts-title">
      <h1 id="prompts-title">Prompts</h1>
      <ErrorNote error={error} />
      {saved ? (
        <p class="notice" role="status">
          Saved version {saved.version} of <code data-testid="saved-prompt">{saved.slug}</code>.{' '}
          {saved.version === saved.published
            ? 'Requests get it now: '
            : `Requests get version ${saved.published} until you publish it: `}
          <code>prompts.completions.create({`{ promptID: "${saved.slug}", variables }`})</code>.
        </p>
      ) : null}
      <button type="button" onClick={() => openPrompt('new')}>
        New prompt
      </button>
      {prompts === null ? (
        <p>Loading…</p>
      ) : (
        <table class="data">
          <caption>Prompts</caption>
          <thead>
            <tr>
              <th scope="col">Slug</th>
              <th scope="col">Name</th>
              <th scope="col">Model</th>
              <th scope="col">Published</th>
              <th scope="col">Latest</th>
              <th scope="col">Updated</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {prompts.length === 0 ? (
              <tr>
                <td colSpan={7} class="muted">
                  None yet: <em>New prompt</em> makes one.
                </td>
              </tr>
            ) : null}
            {prompts.map((prompt) => (
              <tr key={prompt.slug}>
                <td class="mono">{prompt.slug}</td>
                <td>{prompt.name}</td>
                <td class="mono">{prompt.model ?? '-'}</td>
                <td class="mono">{prompt.prompt_version}</td>
                <td class="mono">{prompt.latest_version}</td>
                <td>{text(prompt.last_updated_at)}</td>
                <OpenDeleteActions
                  slug={prompt.slug}
                  managedBy={null}
                  onOpen={() => openPrompt(prompt.slug)}
                  onDelete={() => remove(prompt.slug)}
                />
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open ? (
        <Editor
          key={editorKey.current}
          open={open === 'new' ? null : open}
          onError={setError}
          onSaved={(slug, version, published) => {
            setSaved({ slug, version, published });
            setError(null);
            void load();
            void openPrompt(slug);
          }}
        />
      ) : null}
      {open && open !== 'new' ? (
        <Versions
          prompt={open.prompt}
          refreshKey={editorKey.current}
          onError={setError}
          onPublished={() => {
            setSaved(null);
            void load();
            void openPrompt(open.prompt.slug);
          }}
        />
      ) : null}
    </section>
  );
}
