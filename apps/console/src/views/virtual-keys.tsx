import { useEffect, useState } from 'preact/hooks';
import type { SummaryRow } from '../analytics-series.js';
import { api } from '../api.js';
import {
  type BudgetForm,
  budgetText,
  type CurrentUsage,
  NO_BUDGET,
  type RateLimit,
  rateLimitsText,
  type UsageLimits,
  usageLimitsOf,
} from '../budget.js';
import { BudgetFields } from '../components/budget-fields.js';
import { DisableKeyButton } from '../components/disable-key-button.js';
import { EmptyRow } from '../components/empty-row.js';
import { ErrorNote } from '../components/error-note.js';
import { LimitsEditor } from '../components/limits-editor.js';
import { ReplaceKeyForm } from '../components/replace-key-form.js';
import { ResetUsageButton } from '../components/reset-usage-button.js';
import { UserText } from '../components/user-text.js';
import { type KeySpend, spendByKey, spendText, utcMonthStart } from '../key-spend.js';
import { text, timeText } from '../log-record.js';
import { localToIso } from '../logs-filter.js';

const EMPTY_FORM = { name: '', provider: 'openai', key: '', custom_host: '', note: '', expires_at: '' };

interface VirtualKey {
  readonly slug: string;
  readonly name: string;
  readonly provider: string;
  readonly status: string;
  readonly masked_api_key: string | null;
  readonly note: string | null;
  readonly managed_by?: string | null;
  /** The integration a provider was made from: its key is replaced there. */
  readonly integration_id?: string | null;
  readonly usage_limits: UsageLimits | null;
  readonly rate_limits: RateLimit[] | null;
  readonly current_usage?: CurrentUsage;
  /** When the key stops working (ISO 8601), or null. */
  readonly expires_at?: string | null;
}

/**
 * Virtual keys (admin): list (with each budget's use, each key's spend this month (UTC) from the
 * request logs, as Analytics sums it, budget or not, the rate limits and the expiry), create (with a
 * budget and an expiry),
 * rename, replace the provider key (rotation), change a key's budget and rate limits, disable and
 * enable it again, revoke (delete), and reset the usage of one whose budget is exhausted. The provider key is never shown again.
 */
export function VirtualKeysView() {
  const [keys, setKeys] = useState<VirtualKey[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<string | null>(null);
  const [form, setForm] = useState(EMPTY_FORM);
  const [budget, setBudget] = useState<BudgetForm>(NO_BUDGET);
  /** The key whose limits are being edited. */
  const [editing, setEditing] = useState<VirtualKey | null>(null);
  /** The key whose provider key is being replaced. */
  const [replacing, setReplacing] = useState<string | null>(null);
  /** Each key's spend this month from the request logs (null: not read, or the logs cannot be). */
  const [spend, setSpend] = useState<{ byKey: Map<string, KeySpend>; truncated: boolean } | null>(null);
  const loadSpend = () => {
    const from = new Date(utcMonthStart(Date.now())).toISOString();
    return api<{ data: SummaryRow[]; truncated?: boolean }>(
      `/analytics/summary?group_by=virtual_key&bucket=day&top=100&top_by=cost&from=${encodeURIComponent(from)}`,
    )
      .then((summary) => setSpend({ byKey: spendByKey(summary.data), truncated: summary.truncated === true }))
      .catch(() => setSpend(null));
  };
  const load = () =>
    Promise.all([
      api<{ data: VirtualKey[] }>('/virtual-keys')
        .then((list) => setKeys(list.data))
        .catch(setError),
      loadSpend(),
    ]);
  /** A key's spend this month, or null when it is not known (a key among the summed-up groups). */
  const spendOf = (slug: string): string | null =>
    spend === null ? null : spendText(spend.byKey.get(slug), !spend.truncated || spend.byKey.has(slug));
  useEffect(() => {
    void load();
  }, []);
  const closeEditor = async (saved: boolean) => {
    setEditing(null);
    setReplacing(null);
    if (saved) {
      setError(null);
      await load();
    }
  };
  const create = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      const body: Record<string, unknown> = { name: form.name, provider: form.provider };
      // Left blank: no key (a provider that takes none, such as Ollama); an empty one is refused.
      if (form.key !== '') body.key = form.key;
      if (form.custom_host !== '') body.custom_host = form.custom_host;
      if (form.note !== '') body.note = form.note;
      // The field holds local time; the API takes an instant.
      if (form.expires_at !== '') body.expires_at = localToIso(form.expires_at);
      const usageLimits = usageLimitsOf(budget);
      if (usageLimits) body.usage_limits = usageLimits;
      const answer = await api<{ slug: string }>('/virtual-keys', { method: 'POST', body });
      setCreated(answer.slug);
      setForm(EMPTY_FORM);
      setBudget(NO_BUDGET);
      await load();
    } catch (caught) {
      setError(caught);
    }
  };
  const rename = async (slug: string, current: string) => {
    const name = window.prompt(`New name of ${slug}`, current);
    if (name === null || name === '') return;
    // An earlier failure must not stand above this one's outcome.
    setError(null);
    await api(`/virtual-keys/${encodeURIComponent(slug)}`, { method: 'PUT', body: { name } }).catch(setError);
    await load();
  };
  const revoke = async (slug: string) => {
    if (!window.confirm(`Revoke the virtual key ${slug}? Requests that name it will fail.`)) return;
    setError(null);
    await api(`/virtual-keys/${encodeURIComponent(slug)}`, { method: 'DELETE' }).catch(setError);
    await load();
  };
  const input = (name: keyof typeof form, label: string, type = 'text', required = false) => (
    <label for={`vk-${name}`}>
      {label}
      <input
        id={`vk-${name}`}
        name={name}
        type={type}
        required={required}
        autocomplete="off"
        value={form[name]}
        onInput={(event) => setForm({ ...form, [name]: (event.currentTarget as HTMLInputElement).value })}
      />
    </label>
  );
  return (
    <section aria-labelledby="vk-title">
      <h1 id="vk-title">Virtual keys</h1>
      <ErrorNote error={error} />
      {created ? (
        <p class="notice" role="status">
          Created the virtual key <code data-testid="created-slug">{created}</code>: send it in{' '}
          <code>x-portkey-virtual-key</code>.
        </p>
      ) : null}
      <form class="card" onSubmit={create} aria-label="Create a virtual key">
        <h2>Create a virtual key</h2>
        {input('name', 'Name', 'text', true)}
        {input('provider', 'Provider', 'text', true)}
        {input('key', 'Provider API key (blank for a provider that takes none)', 'password')}
        {input('custom_host', 'Custom host (optional)')}
        {input('note', 'Note (optional)')}
        {input('expires_at', 'Expires (optional, local time)', 'datetime-local')}
        <BudgetFields idPrefix="vk" value={budget} onChange={setBudget} />
        <button type="submit">Create virtual key</button>
      </form>
      {replacing ? <ReplaceKeyForm key={replacing} slug={replacing} onClose={closeEditor} /> : null}
      {editing ? (
        <LimitsEditor
          key={editing.slug}
          name={editing.slug}
          path={`/virtual-keys/${encodeURIComponent(editing.slug)}`}
          limits={editing.usage_limits}
          rateLimits={editing.rate_limits}
          idPrefix="vk-edit"
          onClose={closeEditor}
        />
      ) : null}
      {keys === null ? (
        error ? null : (
          <p>Loading…</p>
        )
      ) : (
        <table class="data">
          <caption>Virtual keys</caption>
          <thead>
            <tr>
              <th scope="col">Slug</th>
              <th scope="col">Name</th>
              <th scope="col">Provider</th>
              <th scope="col">Key</th>
              <th scope="col">Status</th>
              <th scope="col">Budget used</th>
              <th scope="col">Spent this month (UTC)</th>
              <th scope="col">Rate limits</th>
              <th scope="col">Expires</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {keys.length === 0 ? (
              <EmptyRow columns={10}>
                None yet: <em>Create virtual key</em> above makes one.
              </EmptyRow>
            ) : null}
            {keys.map((key) => (
              <tr key={key.slug}>
                <td class="mono">{key.slug}</td>
                <td>
                  <UserText value={key.name} />
                </td>
                <td>{key.provider}</td>
                <td class="mono">
                  {text(key.masked_api_key)}
                  {key.integration_id ? <span class="muted"> (integration {key.integration_id})</span> : null}
                </td>
                <td class={key.status === 'disabled' ? 'status-disabled' : undefined}>{key.status}</td>
                <td>{budgetText(key.usage_limits, key.current_usage)}</td>
                <td>{spendOf(key.slug) ?? '—'}</td>
                <td>{rateLimitsText(key.rate_limits)}</td>
                <td>{key.expires_at ? timeText(key.expires_at) : 'never'}</td>
                <td>
                  <ResetUsageButton
                    status={key.status}
                    name={key.slug}
                    path={`/virtual-keys/${encodeURIComponent(key.slug)}`}
                    onDone={load}
                    onError={setError}
                  />
                  {key.managed_by ? (
                    <span class="muted">settings file</span>
                  ) : (
                    <>
                      <button
                        type="button"
                        onClick={() => rename(key.slug, key.name)}
                        aria-label={`Rename ${key.slug}`}
                      >
                        Rename
                      </button>{' '}
                      {key.integration_id ? null : (
                        <>
                          <button
                            type="button"
                            onClick={() => {
                              setEditing(null);
                              setReplacing(key.slug);
                            }}
                            aria-label={`Replace key of ${key.slug}`}
                          >
                            Replace key
                          </button>{' '}
                        </>
                      )}
                      <button
                        type="button"
                        onClick={() => {
                          setReplacing(null);
                          setEditing(key);
                        }}
                        aria-label={`Edit limits of ${key.slug}`}
                      >
                        Limits
                      </button>{' '}
                      <DisableKeyButton
                        status={key.status}
                        name={key.slug}
                        path={`/virtual-keys/${encodeURIComponent(key.slug)}`}
                        onDone={load}
                      />
                      <button
                        type="button"
                        class="danger"
                        onClick={() => revoke(key.slug)}
                        aria-label={`Revoke ${key.slug}`}
                      >
                        Revoke
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
