import { useState } from 'preact/hooks';
import { api } from '../api.js';
import {
  budgetFormOf,
  editedUsageLimits,
  type RateLimit,
  rateLimitRowsOf,
  rateLimitsOf,
  type UsageLimits,
} from '../budget.js';
import { useFocusFirstInput } from '../focus-first-input.js';
import { BudgetFields } from './budget-fields.js';
import { ErrorNote } from './error-note.js';
import { RateLimitFields } from './rate-limit-fields.js';

/**
 * Changes the budget and the rate limits of an existing key (virtual key or gateway key): the form
 * starts from the key's `usage_limits` and `rate_limits` and sends the edited ones with `PUT <path>`
 * (the admin API's update; fields the form does not show are kept). An emptied limit, or *Remove
 * budget*, removes the budget after asking. What the key used in its current period while it had
 * limits counts against the new limits (the gateway recovers it from the data store).
 */
export function LimitsEditor(props: {
  /** The key as the list shows it (its slug or name). */
  readonly name: string;
  /** The key's admin path (`/virtual-keys/<slug>`, `/api-keys/<id>`). */
  readonly path: string;
  readonly limits: UsageLimits | null;
  readonly rateLimits: readonly RateLimit[] | null;
  /** Prefix of the fields' ids. */
  readonly idPrefix: string;
  /** Closes the editor: after a change was saved (`saved`: reload the list), or on Cancel. */
  readonly onClose: (saved: boolean) => unknown;
}) {
  const { name, path, limits } = props;
  const [form, setForm] = useState(() => budgetFormOf(limits));
  const [rows, setRows] = useState(() => rateLimitRowsOf(props.rateLimits));
  // A change the gateway refuses is said here, by the buttons: the view's error line is out of view.
  const [error, setError] = useState<unknown>(null);
  const card = useFocusFirstInput(() => props.onClose(false));
  const removingBudgetConfirmed = () =>
    window.confirm(`Remove the budget of ${name}? Its requests are then no longer limited by spend.`);
  const send = async (body: Record<string, unknown>) => {
    await api(path, { method: 'PUT', body });
    await props.onClose(true);
  };
  const save = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      const usageLimits = editedUsageLimits(limits, form);
      const rateLimits = rateLimitsOf(rows);
      if (usageLimits === null && limits && !removingBudgetConfirmed()) return;
      await send({ usage_limits: usageLimits, rate_limits: rateLimits });
    } catch (caught) {
      setError(caught);
    }
  };
  const removeBudget = async () => {
    if (!removingBudgetConfirmed()) return;
    setError(null);
    await send({ usage_limits: null }).catch(setError);
  };
  return (
    <form ref={card} class="card" onSubmit={save} aria-label={`Limits of ${name}`}>
      <h2>Limits of {name}</h2>
      <p class="muted">
        What the key has used in its current period while it had limits counts against the new limits.
      </p>
      <BudgetFields idPrefix={props.idPrefix} value={form} onChange={setForm} legend="Budget" />
      <RateLimitFields idPrefix={props.idPrefix} rows={rows} onChange={setRows} />
      <ErrorNote error={error} reveal />
      <div class="actions">
        <button type="submit">Save limits</button>
        {limits ? (
          <button type="button" class="danger" onClick={removeBudget}>
            Remove budget
          </button>
        ) : null}
        <button type="button" onClick={() => props.onClose(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
