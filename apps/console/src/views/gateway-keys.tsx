import { useEffect, useState } from 'preact/hooks';
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
import { ErrorNote } from '../components/error-note.js';
import { LimitsEditor } from '../components/limits-editor.js';
import { ResetUsageButton } from '../components/reset-usage-button.js';
import { UserText } from '../components/user-text.js';
import { text, timeText } from '../log-record.js';
import { localToIso } from '../logs-filter.js';

const EMPTY_FORM = { name: '', role: 'user', tenant: '', expires_at: '' };

interface ApiKey {
  readonly id: string;
  readonly name: string;
  readonly key: string | null;
  readonly role: string;
  readonly tenant: string;
  readonly status: string;
  readonly last_used_at: string | null;
  readonly managed_by: string | null;
  readonly usage_limits: UsageLimits | null;
  readonly rate_limits: RateLimit[] | null;
  readonly current_usage?: CurrentUsage;
  /** When the key stops working (ISO 8601), or null. */
  readonly expires_at?: string | null;
}

/**
 * Gateway keys (admin): list (with each budget's use, the rate limits and the expiry), create (with a
 * budget and an expiry; the secret shown this once), change a key's budget and rate limits, revoke,
 * reset an exhausted budget.
 */
export function GatewayKeysView() {
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [form, setForm] = useState(EMPTY_FORM);
  const [budget, setBudget] = useState<BudgetForm>(NO_BUDGET);
  /** The key whose limits are being edited. */
  const [editing, setEditing] = useState<ApiKey | null>(null);
  const load = () =>
    api<{ data: ApiKey[] }>('/api-keys?include_revoked=true')
      .then((list) => setKeys(list.data))
      .catch(setError);
  useEffect(() => {
    void load();
  }, []);
  const closeEditor = async (saved: boolean) => {
    setEditing(null);
    if (saved) {
      setError(null);
      await load();
    }
  };
  const create = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      const path = form.role === 'admin' ? '/api-keys/organisation/service' : '/api-keys/workspace/service';
      const body: Record<string, unknown> = { name: form.name };
      if (form.role !== 'admin' && form.tenant !== '') body.workspace_id = form.tenant;
      // The field holds local time; the API takes an instant.
      if (form.expires_at !== '') body.expires_at = localToIso(form.expires_at);
      const usageLimits = usageLimitsOf(budget);
      if (usageLimits) body.usage_limits = usageLimits;
      const answer = await api<{ key: string }>(path, { method: 'POST', body });
      setSecret(answer.key);
      setForm(EMPTY_FORM);
      setBudget(NO_BUDGET);
      await load();
    } catch (caught) {
      setError(caught);
    }
  };
  const revoke = async (id: string) => {
    if (
      !window.confirm(
        `Revoke the gateway key ${id}? Every request and console session with it stops within a second.`,
      )
    )
      return;
    // An earlier failure must not stand above this one's outcome.
    setError(null);
    await api(`/api-keys/${encodeURIComponent(id)}`, { method: 'DELETE' }).catch(setError);
    await load();
  };
  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">Gateway keys</h1>
      <ErrorNote error={error} />
      {secret ? (
        <div class="notice" role="status">
          <p>The new key's secret, shown this once (only its hash is stored): copy it now.</p>
          <code class="secret" data-testid="new-secret">
            {secret}
          </code>{' '}
          <button type="button" onClick={() => setSecret(null)}>
            I have copied it
          </button>
        </div>
      ) : null}
      <form class="card" onSubmit={create} aria-label="Create a gateway key">
        <h2>Create a gateway key</h2>
        <label for="key-name">
          Name
          <input
            id="key-name"
            required
            value={form.name}
            onInput={(event) => setForm({ ...form, name: (event.currentTarget as HTMLInputElement).value })}
          />
        </label>
        <label for="key-role">
          Role
          <select
            id="key-role"
            value={form.role}
            onChange={(event) => setForm({ ...form, role: (event.currentTarget as HTMLSelectElement).value })}
          >
            <option value="user">user (its tenant's requests and logs)</option>
            <option value="admin">admin (everything)</option>
          </select>
        </label>
        {form.role === 'user' ? (
          <label for="key-tenant">
            Tenant (optional)
            <input
              id="key-tenant"
              value={form.tenant}
              onInput={(event) =>
                setForm({ ...form, tenant: (event.currentTarget as HTMLInputElement).value })
              }
            />
          </label>
        ) : null}
        <label for="key-expires_at">
          Expires (optional, local time)
          <input
            id="key-expires_at"
            type="datetime-local"
            value={form.expires_at}
            onInput={(event) =>
              setForm({ ...form, expires_at: (event.currentTarget as HTMLInputElement).value })
            }
          />
        </label>
        <BudgetFields idPrefix="key" value={budget} onChange={setBudget} />
        <button type="submit">Create gateway key</button>
      </form>
      {editing ? (
        <LimitsEditor
          key={editing.id}
          name={editing.name}
          path={`/api-keys/${encodeURIComponent(editing.id)}`}
          limits={editing.usage_limits}
          rateLimits={editing.rate_limits}
          idPrefix="key-edit"
          onClose={closeEditor}
        />
      ) : null}
      {keys === null ? (
        error ? null : (
          <p>Loading…</p>
        )
      ) : (
        <table class="data">
          <caption>Gateway keys</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">Role</th>
              <th scope="col">Tenant</th>
              <th scope="col">Status</th>
              <th scope="col">Budget used</th>
              <th scope="col">Rate limits</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.id}>
                <td>
                  <UserText value={key.name} />
                </td>
                <td class="mono">{text(key.key)}</td>
                <td>{key.role}</td>
                <td>{key.tenant}</td>
                <td>{key.status}</td>
                <td>{budgetText(key.usage_limits, key.current_usage)}</td>
                <td>{rateLimitsText(key.rate_limits)}</td>
                <td>{key.expires_at ? timeText(key.expires_at) : 'never'}</td>
                <td>{timeText(key.last_used_at)}</td>
                <td>
                  <ResetUsageButton
                    status={key.status}
                    name={key.name}
                    path={`/api-keys/${encodeURIComponent(key.id)}`}
                    onDone={load}
                    onError={setError}
                  />
                  {key.managed_by ? (
                    <span class="muted">settings file</span>
                  ) : key.status !== 'revoked' && key.status !== 'expired' ? (
                    <>
                      <button
                        type="button"
                        onClick={() => setEditing(key)}
                        aria-label={`Edit limits of ${key.name}`}
                      >
                        Limits
                      </button>{' '}
                      <button
                        type="button"
                        class="danger"
                        onClick={() => revoke(key.id)}
                        aria-label={`Revoke ${key.name}`}
                      >
                        Revoke
                      </button>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
