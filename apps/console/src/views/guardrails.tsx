import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { EmptyRow } from '../components/empty-row.js';
import { ErrorNote } from '../components/error-note.js';
import { OpenDeleteActions } from '../components/open-delete-actions.js';
import { UserText } from '../components/user-text.js';
import { useFocusFirstInput } from '../focus-first-input.js';
import { timeText } from '../log-record.js';

interface GuardrailObject {
  readonly slug: string;
  readonly name: string;
  readonly type: string;
  readonly checks: readonly { readonly id: string }[];
  readonly actions: { readonly deny: boolean };
  /** The raw hook (`type`, `checks`, `deny`, `async`, `sequential`, `on_fail`, `on_success`). */
  readonly definition: Readonly<Record<string, unknown>>;
  readonly managed_by: string | null;
  readonly last_updated_at: string | null;
}

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

/** A new guardrail's definition: deny a request whose text looks like a US social security number. */
export const GUARDRAIL_STARTER = pretty({
  type: 'guardrail',
  checks: [{ id: 'default.regexMatch', parameters: { rule: '\\b\\d{3}-\\d{2}-\\d{4}\\b', not: true } }],
  deny: true,
});

/** What is wrong with the definition's text in the page (the gateway checks the rest on save), or null. */
export function definitionProblem(source: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return 'expected an object { type, checks, deny, … }';
  }
  const { checks } = parsed as { checks?: unknown };
  if (!Array.isArray(checks)) return 'checks: expected a list of checks';
  // The gateway refuses it too: a guardrail without checks can never pass, fail or change anything.
  if (checks.length === 0) {
    return 'checks: needs at least one check: a guardrail without checks never does anything';
  }
  return null;
}

/** "deny (446)" or "flag (246)": what a failed check does to the request. */
const onFailure = (guardrail: GuardrailObject) => (guardrail.actions.deny ? 'deny (446)' : 'flag (246)');

function Editor(props: { guardrail: GuardrailObject | null; onSaved: (slug: string) => void }) {
  const { guardrail } = props;
  // A save the gateway refuses is said here, by the button: the view's error line is above the list.
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState(guardrail?.name ?? '');
  const [slug, setSlug] = useState('');
  const [source, setSource] = useState(guardrail ? pretty(guardrail.definition) : GUARDRAIL_STARTER);
  const problem = definitionProblem(source);
  const readOnly = guardrail?.managed_by != null;
  const form = useFocusFirstInput();
  const save = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      const definition = JSON.parse(source) as unknown;
      if (guardrail) {
        await api(`/guardrails/${encodeURIComponent(guardrail.slug)}`, {
          method: 'PUT',
          body: { name, definition },
        });
        props.onSaved(guardrail.slug);
      } else {
        const answer = await api<{ slug: string }>('/guardrails', {
          method: 'POST',
          body: { name, definition, ...(slug.trim() === '' ? {} : { slug: slug.trim() }) },
        });
        props.onSaved(answer.slug);
      }
    } catch (caught) {
      setError(caught);
    }
  };
  const title = guardrail ? `Edit ${guardrail.slug}` : 'Create a guardrail';
  return (
    <form ref={form} class="card" onSubmit={save} aria-label={title}>
      <h2>{title}</h2>
      {readOnly ? (
        <p class="muted">Managed by the settings file {guardrail?.managed_by}: read-only here.</p>
      ) : null}
      <label for="guardrail-name">
        Name
        <input
          id="guardrail-name"
          required
          value={name}
          readOnly={readOnly}
          onInput={(event) => setName((event.currentTarget as HTMLInputElement).value)}
        />
      </label>
      {guardrail ? null : (
        <label for="guardrail-slug">
          Slug (optional: made from the name)
          <input
            id="guardrail-slug"
            autocomplete="off"
            value={slug}
            onInput={(event) => setSlug((event.currentTarget as HTMLInputElement).value)}
          />
        </label>
      )}
      <label for="guardrail-source">
        Definition (JSON)
        <textarea
          id="guardrail-source"
          rows={14}
          spellcheck={false}
          readOnly={readOnly}
          value={source}
          aria-describedby="guardrail-help guardrail-problem"
          onInput={(event) => setSource((event.currentTarget as HTMLTextAreaElement).value)}
        />
      </label>
      <p id="guardrail-help" class="muted">
        A config names it by its slug: <code>input_guardrails</code> check the request,{' '}
        <code>output_guardrails</code> the answer. With <code>deny: true</code> a failed check refuses the
        request with 446 (nothing is sent on); without, the request goes on and answers 246. On save the
        gateway checks every check id, parameter and regular expression, and names the path of a problem.
      </p>
      <p id="guardrail-problem" role="status" class={problem ? 'bad' : 'good'} data-testid="guardrail-status">
        {problem ?? 'Valid JSON.'}
      </p>
      <ErrorNote error={error} reveal />
      {readOnly ? null : (
        <button type="submit" disabled={problem !== null}>
          {guardrail ? 'Save guardrail' : 'Create guardrail'}
        </button>
      )}
    </form>
  );
}

/**
 * Guardrails (admin): the store's and the settings file's, listed with their checks and what a
 * failure does; create and edit one as its raw definition (checked by the gateway on save, which
 * names the path of a problem), delete one (refused while a saved config names it).
 */
export function GuardrailsView() {
  const [guardrails, setGuardrails] = useState<GuardrailObject[] | null>(null);
  const [editing, setEditing] = useState<GuardrailObject | 'new' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const editorKey = useRef(0);
  const load = () =>
    api<{ data: GuardrailObject[] }>('/guardrails')
      .then((list) => setGuardrails(list.data))
      .catch(setError);
  useEffect(() => {
    void load();
  }, []);
  const open = (next: GuardrailObject | 'new') => {
    setError(null);
    editorKey.current += 1;
    setEditing(next);
  };
  const remove = async (slug: string) => {
    if (!window.confirm(`Delete the guardrail ${slug}? Configs can no longer name it.`)) return;
    setError(null);
    try {
      await api(`/guardrails/${encodeURIComponent(slug)}`, { method: 'DELETE' });
      if (editing !== 'new' && editing?.slug === slug) setEditing(null);
      await load();
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <section aria-labelledby="guardrails-title">
      <h1 id="guardrails-title">Guardrails</h1>
      <ErrorNote error={error} />
      {saved ? (
        <p class="notice" role="status">
          Saved the guardrail <code data-testid="saved-guardrail">{saved}</code>: name it in a config,{' '}
          <code>"input_guardrails": ["{saved}"]</code>.
        </p>
      ) : null}
      <button type="button" onClick={() => open('new')}>
        New guardrail
      </button>
      {guardrails === null ? (
        error ? null : (
          <p>Loading…</p>
        )
      ) : (
        <table class="data">
          <caption>Guardrails</caption>
          <thead>
            <tr>
              <th scope="col">Slug</th>
              <th scope="col">Name</th>
              <th scope="col">Checks</th>
              <th scope="col">A failed check</th>
              <th scope="col">Updated</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {guardrails.length === 0 ? (
              <EmptyRow columns={6}>
                None yet: <em>New guardrail</em> makes one.
              </EmptyRow>
            ) : null}
            {guardrails.map((guardrail) => (
              <tr key={guardrail.slug}>
                <td class="mono">{guardrail.slug}</td>
                <td>
                  <UserText value={guardrail.name} />
                </td>
                <td class="mono">{guardrail.checks.map((check) => check.id).join(', ') || '-'}</td>
                <td>{guardrail.type === 'mutator' ? 'mutates' : onFailure(guardrail)}</td>
                <td>{timeText(guardrail.last_updated_at)}</td>
                <OpenDeleteActions
                  slug={guardrail.slug}
                  managedBy={guardrail.managed_by}
                  onOpen={() => open(guardrail)}
                  onDelete={() => remove(guardrail.slug)}
                />
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing ? (
        <Editor
          key={editorKey.current}
          guardrail={editing === 'new' ? null : editing}
          onSaved={(slug) => {
            setSaved(slug);
            setError(null);
            setEditing(null);
            void load();
          }}
        />
      ) : null}
    </section>
  );
}
