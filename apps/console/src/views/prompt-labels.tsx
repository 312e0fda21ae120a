import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorNote } from '../components/error-note.js';
import { type Label, labelNameProblem, labelsToOffer } from '../prompt-labels.js';

/** The labels (`GET /labels`), loaded once and again after a change; null while loading. */
export function useLabels(): { labels: Label[] | null; error: unknown; reload: () => Promise<void> } {
  const [labels, setLabels] = useState<Label[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const reload = () =>
    api<{ data: Label[] }>('/labels')
      .then((list) => {
        setLabels(list.data);
        setError(null);
      })
      .catch(setError);
  useEffect(() => {
    void reload();
  }, []);
  return { labels, error, reload };
}

/** The names of the labels pointing at a version, as badges. */
export function LabelBadges(props: { names: readonly string[] }) {
  if (props.names.length === 0) return <span class="muted">-</span>;
  return (
    <span class="labels">
      {props.names.map((name) => (
        <span key={name} class="badge mono">
          {name}
        </span>
      ))}
    </span>
  );
}

/**
 * A version row's _Set label_: a select of the labels not pointing at it yet and a button that points
 * the chosen one at it (`PUT /prompts/:slug/versions/:id {label_id}`), moving it from another version.
 */
export function SetLabel(props: {
  slug: string;
  versionId: string;
  number: number;
  pointing: readonly string[];
  labels: readonly Label[] | null;
  onSet: () => void;
  onError: (error: unknown) => void;
}) {
  const [chosen, setChosen] = useState('');
  const offered = labelsToOffer(props.labels ?? [], props.pointing);
  const first = offered[0];
  if (!first) return <span class="muted">-</span>;
  const labelId = offered.some((label) => label.id === chosen) ? chosen : first.id;
  const version = `version ${props.number} of ${props.slug}`;
  const set = async () => {
    try {
      await api(
        `/prompts/${encodeURIComponent(props.slug)}/versions/${encodeURIComponent(props.versionId)}`,
        {
          method: 'PUT',
          body: { label_id: labelId },
        },
      );
      props.onSet();
    } catch (error) {
      props.onError(error);
    }
  };
  return (
    <span class="pair">
      <select
        aria-label={`Label for ${version}`}
        value={labelId}
        onChange={(event) => setChosen((event.currentTarget as HTMLSelectElement).value)}
      >
        {offered.map((label) => (
          <option key={label.id} value={label.id}>
            {label.name}
          </option>
        ))}
      </select>
      <button type="button" onClick={set} aria-label={`Set label on ${version}`}>
        Set label
      </button>
    </span>
  );
}

/**
 * The labels, below the partials: the list, create one (name and description), and delete one of
 * your own (`production`, `staging` and `development` are built in).
 */
export function LabelsSection(props: {
  labels: readonly Label[] | null;
  loadError: unknown;
  onChanged: () => Promise<void>;
}) {
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const problem = labelNameProblem(name);
  const create = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      const trimmed = description.trim();
      await api('/labels', {
        method: 'POST',
        body: { name: name.trim(), ...(trimmed === '' ? {} : { description: trimmed }) },
      });
      setName('');
      setDescription('');
      await props.onChanged();
    } catch (caught) {
      setError(caught);
    }
  };
  const remove = async (label: Label) => {
    if (!window.confirm(`Delete the label ${label.name}? Requests that name slug@${label.name} will fail.`))
      return;
    setError(null);
    await api(`/labels/${encodeURIComponent(label.id)}`, { method: 'DELETE' }).catch(setError);
    await props.onChanged();
  };
  const field = (setter: (value: string) => void) => (event: Event) =>
    setter((event.currentTarget as HTMLInputElement).value);
  return (
    <section aria-labelledby="labels-title">
      <h2 id="labels-title">Labels</h2>
      <p class="muted">
        A label points at one version of each prompt, set from the prompt's versions table; requests name it
        as <code>slug@label</code>.
      </p>
      <ErrorNote error={error ?? props.loadError} />
      {props.labels === null ? (
        props.loadError ? null : (
          <p>Loading…</p>
        )
      ) : (
        <table class="data">
          <caption>Labels</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Description</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {props.labels.map((label) => (
              <tr key={label.id}>
                <td class="mono">{label.name}</td>
                <td>{label.description ?? '-'}</td>
                <td>
                  {label.is_universal ? (
                    <span class="muted">built in</span>
                  ) : (
                    <button
                      type="button"
                      class="danger"
                      onClick={() => remove(label)}
                      aria-label={`Delete label ${label.name}`}
                    >
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="card" onSubmit={create} aria-label="Create a label">
        <h3>Create a label</h3>
        <label for="label-name">
          Name
          <input
            id="label-name"
            required
            autocomplete="off"
            value={name}
            aria-describedby="label-name-problem"
            onInput={field(setName)}
          />
        </label>
        <p id="label-name-problem" role="status" class={problem ? 'bad' : 'muted'}>
          {problem ?? 'Letters, digits, _ or -.'}
        </p>
        <label for="label-description">
          Description (optional)
          <input
            id="label-description"
            autocomplete="off"
            value={description}
            onInput={field(setDescription)}
          />
        </label>
        <button type="submit" disabled={problem !== null}>
          Create label
        </button>
      </form>
    </section>
  );
}
