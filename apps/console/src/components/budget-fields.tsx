import type { BudgetForm } from '../budget.js';

/**
 * The budget fields of a form (a key's Portkey `usage_limits`): the limit (empty: none), what it
 * counts (USD or tokens) and when it starts again (UTC calendar month or week, never, or every N days
 * for a key that already resets so).
 */
export function BudgetFields(props: {
  /** Prefix of the fields' ids (one form's fields apart from another's). */
  readonly idPrefix: string;
  readonly value: BudgetForm;
  readonly onChange: (value: BudgetForm) => void;
  /** The fieldset's legend (default "Budget (optional)"). */
  readonly legend?: string;
}) {
  const { idPrefix, value, onChange } = props;
  return (
    <fieldset class="budget">
      <legend>{props.legend ?? 'Budget (optional)'}</legend>
      <label for={`${idPrefix}-budget`}>
        Limit
        <input
          id={`${idPrefix}-budget`}
          inputMode="decimal"
          autocomplete="off"
          placeholder="none"
          value={value.limit}
          onInput={(event) => onChange({ ...value, limit: (event.currentTarget as HTMLInputElement).value })}
        />
      </label>
      <label for={`${idPrefix}-budget-type`}>
        Counted in
        <select
          id={`${idPrefix}-budget-type`}
          value={value.type}
          onChange={(event) =>
            onChange({
              ...value,
              type: (event.currentTarget as HTMLSelectElement).value as BudgetForm['type'],
            })
          }
        >
          <option value="cost">USD</option>
          <option value="tokens">tokens</option>
        </select>
      </label>
      <label for={`${idPrefix}-budget-reset`}>
        Starts again
        <select
          id={`${idPrefix}-budget-reset`}
          value={value.reset}
          onChange={(event) =>
            onChange({
              ...value,
              reset: (event.currentTarget as HTMLSelectElement).value as BudgetForm['reset'],
            })
          }
        >
          <option value="monthly">every month (the 1st, UTC)</option>
          <option value="weekly">every week (Monday, UTC)</option>
          <option value="">never</option>
          {value.days === undefined ? null : <option value="days">every {value.days} days</option>}
        </select>
      </label>
    </fieldset>
  );
}
