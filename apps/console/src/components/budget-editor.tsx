import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { budgetFormOf, editedUsageLimits, type UsageLimits } from '../budget.js';
import { BudgetFields } from './budget-fields.js';

/**
 * Changes or removes the budget of an existing key (virtual key or gateway key): the form starts from
 * the key's `usage_limits` and sends the edited ones with `PUT <path>` (the admin API's update; fields
 * the form does not show are kept). An emptied limit, or *Remove budget*, removes the budget after
 * asking. What the key used in its current period stays counted against the new limit.
 */
export function BudgetEditor(props: {
  /** The key as the list shows it (its slug or name). */
  readonly name: string;
  /** The key's admin path (`/virtual-keys/<slug>`, `/api-keys/<id>`). */
  readonly path: string;
  readonly limits: UsageLimits | null;
  /** Prefix of the fields' ids. */
  readonly idPrefix: string;
  /** Closes the editor: after a change was saved (`saved`: reload the list), or on Cancel. */
  readonly onClose: (saved: boolean) => unknown;
  readonly onError: (error: unknown) => void;
}) {
  const { name, path, limits } = props;
  const [form, setForm] = useState(() => budgetFormOf(limits));
  const card = useRef<HTMLFormElement>(null);
  useEffect(() => {
    card.current?.querySelector('input')?.focus();
  }, []);
  const send = async (usageLimits: UsageLimits | null) => {
    if (
      usageLimits === null &&
      !window.confirm(`Remove the budget of ${name}? Its requests are then no longer limited by spend.`)
    )
      return;
    await api(path, { method: 'PUT', body: { usage_limits: usageLimits } });
    await props.onClose(true);
  };
  const save = async (event: Event) => {
    event.preventDefault();
    try {
      const edited = editedUsageLimits(limits, form);
      if (edited === null && !limits) {
        await props.onClose(false);
        return;
      }
      await send(edited);
    } catch (caught) {
      props.onError(caught);
    }
  };
  const remove = () => send(null).catch(props.onError);
  return (
    <form ref={card} class="card" onSubmit={save} aria-label={`Budget of ${name}`}>
      <h2>Budget of {name}</h2>
      <p class="muted">What the key has used in its current period counts against the new limit.</p>
      <BudgetFields idPrefix={props.idPrefix} value={form} onChange={setForm} legend="Budget" />
      <div class="actions">
        <button type="submit">Save budget</button>
        {limits ? (
          <button type="button" class="danger" onClick={remove}>
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
