import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { type BudgetForm, NO_BUDGET, usageLimitsOf } from '../budget.js';
import { BudgetFields } from '../components/budget-fields.js';
import { EmptyRow } from '../components/empty-row.js';
import { ErrorNote } from '../components/error-note.js';
import { ReplaceKeyForm } from '../components/replace-key-form.js';
import { UserText } from '../components/user-text.js';
import { useFocusFirstInput } from '../focus-first-input.js';
import { text } from '../log-record.js';

interface Integration {
  readonly slug: string;
  readonly name: string;
  readonly ai_provider_id: string;
  readonly masked_key: string | null;
  readonly configurations: Readonly<Record<string, string | number | boolean>>;
  /** Slugs of the providers made from it. */
  readonly providers: readonly string[];
}

const EMPTY_FORM = { name: '', slug: '', provider: 'openai', key: '', custom_host: '', withProvider: true };

/**
 * Adds a provider to an integration: a slug of its own (default: from the name) with an optional
 * budget; it uses the integration's key. Rate limits and later budget changes are the Virtual keys
 * view's (a provider is a virtual key).
 */
function AddProviderForm(props: {
  readonly integration: string;
  readonly onClose: (created: string | null) => unknown;
}) {
  const [name, setName] = useState('');
  // A refusal is said here, by the buttons: the view's error line is out of view.
  const [error, setError] = useState<unknown>(null);
  const [slug, setSlug] = useState('');
  const [budget, setBudget] = useState<BudgetForm>(NO_BUDGET);
  const form = useFocusFirstInput(() => props.onClose(null));
  const save = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      const body: Record<string, unknown> = { name, integration_id: props.integration };
      if (slug.trim() !== '') body.slug = slug.trim();
      const usageLimits = usageLimitsOf(budget);
      if (usageLimits) body.usage_limits = usageLimits;
      const answer = await api<{ slug: string }>('/providers', { method: 'POST', body });
      await props.onClose(answer.slug);
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <form ref={form} class="card" onSubmit={save} aria-label={`Add a provider to ${props.integration}`}>
      <h2>Add a provider to {props.integration}</h2>
      <p class="muted">
        It uses the integration's key, with a slug and budget of its own: name it as <code>@slug/model</code>.
      </p>
      <label for="provider-name">
        Name
        <input
          id="provider-name"
          required
          autocomplete="off"
          value={name}
          onInput={(event) => setName((event.currentTarget as HTMLInputElement).value)}
        />
      </label>
      <label for="provider-slug">
        Slug (optional)
        <input
          id="provider-slug"
          autocomplete="off"
          value={slug}
          onInput={(event) => setSlug((event.currentTarget as HTMLInputElement).value)}
        />
      </label>
      <BudgetFields idPrefix="provider" value={budget} onChange={setBudget} />
      <ErrorNote error={error} reveal />
      <div class="actions">
        <button type="submit">Add provider</button>
        <button type="button" onClick={() => props.onClose(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/**
 * Integrations (admin; Portkey's model catalog): a provider's key held once, and the providers made
 * from it (each a slug with a budget of its own, requests name it as `@slug/model`). List, create
 * (with a provider of the same slug unless unticked), add a provider, replace the key (every provider
 * uses the new one at once), delete (refused while providers remain). The key is never shown again.
 */
export function IntegrationsView() {
  const [integrations, setIntegrations] = useState<Integration[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [form, setForm] = useState(EMPTY_FORM);
  /** The integration whose key is being replaced, or that gets a provider. */
  const [replacing, setReplacing] = useState<string | null>(null);
  const [adding, setAdding] = useState<string | null>(null);
  const load = () =>
    api<{ data: Integration[] }>('/integrations')
      .then((list) => setIntegrations(list.data))
      .catch(setError);
  useEffect(() => {
    void load();
  }, []);
  const create = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setNotice(null);
    try {
      const body: Record<string, unknown> = {
        name: form.name,
        ai_provider_id: form.provider,
        create_default_provider: form.withProvider,
      };
      if (form.key !== '') body.key = form.key;
      if (form.slug.trim() !== '') body.slug = form.slug.trim();
      if (form.custom_host !== '') body.configurations = { custom_host: form.custom_host };
      const answer = await api<{ slug: string }>('/integrations', { method: 'POST', body });
      setNotice(
        form.withProvider
          ? `Created the integration ${answer.slug} and its provider: name it as @${answer.slug}/<model>.`
          : `Created the integration ${answer.slug}: add a provider to use it.`,
      );
      setForm(EMPTY_FORM);
      await load();
    } catch (caught) {
      setError(caught);
    }
  };
  const closeReplace = async (saved: boolean) => {
    setReplacing(null);
    if (saved) {
      setError(null);
      await load();
    }
  };
  const closeAdd = async (created: string | null) => {
    setAdding(null);
    if (created !== null) {
      setError(null);
      setNotice(`Added the provider ${created}: name it as @${created}/<model>.`);
      await load();
    }
  };
  const remove = async (slug: string) => {
    if (!window.confirm(`Delete the integration ${slug}?`)) return;
    setError(null);
    await api(`/integrations/${encodeURIComponent(slug)}`, { method: 'DELETE' }).catch(setError);
    await load();
  };
  const input = (
    name: 'name' | 'slug' | 'provider' | 'key' | 'custom_host',
    label: string,
    type = 'text',
  ) => (
    <label for={`integration-${name}`}>
      {label}
      <input
        id={`integration-${name}`}
        name={name}
        type={type}
        required={name === 'name' || name === 'provider'}
        autocomplete="off"
        value={form[name]}
        onInput={(event) => setForm({ ...form, [name]: (event.currentTarget as HTMLInputElement).value })}
      />
    </label>
  );
  return (
    <section aria-labelledby="integrations-title">
      <h1 id="integrations-title">Integrations</h1>
      <ErrorNote error={error} />
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <form class="card" onSubmit={create} aria-label="Create an integration">
        <h2>Create an integration</h2>
        {input('name', 'Name')}
        {input('slug', 'Slug (optional)')}
        {input('provider', 'Provider')}
        {input('key', 'Provider API key', 'password')}
        {input('custom_host', 'Custom host (optional)')}
        <label for="integration-with-provider" class="inline">
          <input
            id="integration-with-provider"
            type="checkbox"
            checked={form.withProvider}
            onChange={(event) =>
              setForm({ ...form, withProvider: (event.currentTarget as HTMLInputElement).checked })
            }
          />{' '}
          Make a provider of the same slug
        </label>
        <button type="submit">Create integration</button>
      </form>
      {replacing ? (
        <ReplaceKeyForm
          key={replacing}
          slug={replacing}
          path={`/integrations/${encodeURIComponent(replacing)}`}
          effect={`Requests through every provider of ${replacing}`}
          onClose={closeReplace}
        />
      ) : null}
      {adding ? <AddProviderForm key={adding} integration={adding} onClose={closeAdd} /> : null}
      {integrations === null ? (
        error ? null : (
          <p>Loading…</p>
        )
      ) : (
        <table class="data">
          <caption>Integrations</caption>
          <thead>
            <tr>
              <th scope="col">Slug</th>
              <th scope="col">Name</th>
              <th scope="col">Provider</th>
              <th scope="col">Key</th>
              <th scope="col">Providers</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {integrations.length === 0 ? (
              <EmptyRow columns={6}>
                None yet: <em>Create integration</em> above makes one.
              </EmptyRow>
            ) : null}
            {integrations.map((integration) => (
              <tr key={integration.slug}>
                <td class="mono">{integration.slug}</td>
                <td>
                  <UserText value={integration.name} />
                </td>
                <td>{integration.ai_provider_id}</td>
                <td class="mono">{text(integration.masked_key)}</td>
                <td class="mono">
                  {integration.providers.length > 0 ? integration.providers.join(', ') : '—'}
                </td>
                <td>
                  <button
                    type="button"
                    onClick={() => {
                      setAdding(null);
                      setReplacing(integration.slug);
                    }}
                    aria-label={`Replace key of ${integration.slug}`}
                  >
                    Replace key
                  </button>{' '}
                  <button
                    type="button"
                    onClick={() => {
                      setReplacing(null);
                      setAdding(integration.slug);
                    }}
                    aria-label={`Add provider to ${integration.slug}`}
                  >
                    Add provider
                  </button>{' '}
                  <button
                    type="button"
                    class="danger"
                    onClick={() => remove(integration.slug)}
                    aria-label={`Delete ${integration.slug}`}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
