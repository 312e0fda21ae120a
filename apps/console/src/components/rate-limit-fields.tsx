import { NEW_RATE_LIMIT, RATE_UNITS, type RateLimit, type RateLimitRow } from '../budget.js';

/**
 * A key's rate limits as rows (Portkey's `rate_limits`: at most N requests or tokens a second,
 * minute, hour, day or week; every one applies): change a row, remove it, or add one.
 */
export function RateLimitFields(props: {
  /** Prefix of the fields' ids. */
  readonly idPrefix: string;
  readonly rows: readonly RateLimitRow[];
  readonly onChange: (rows: RateLimitRow[]) => void;
}) {
  const { idPrefix, rows, onChange } = props;
  const change = (index: number, patch: Partial<RateLimitRow>) =>
    onChange(rows.map((row, at) => (at === index ? { ...row, ...patch } : row)));
  return (
    <fieldset class="budget">
      <legend>Rate limits</legend>
      {rows.length === 0 ? <p class="muted">None.</p> : null}
      {rows.map((row, index) => (
        <div class="rate-limit" key={index}>
          <label for={`${idPrefix}-rate-${index}`}>
            At most
            <input
              id={`${idPrefix}-rate-${index}`}
              inputMode="numeric"
              autocomplete="off"
              value={row.value}
              onInput={(event) => change(index, { value: (event.currentTarget as HTMLInputElement).value })}
            />
          </label>
          <label for={`${idPrefix}-rate-${index}-type`}>
            Of
            <select
              id={`${idPrefix}-rate-${index}-type`}
              value={row.type}
              onChange={(event) =>
                change(index, { type: (event.currentTarget as HTMLSelectElement).value as RateLimit['type'] })
              }
            >
              <option value="requests">requests</option>
              <option value="tokens">tokens</option>
            </select>
          </label>
          <label for={`${idPrefix}-rate-${index}-unit`}>
            Per
            <select
              id={`${idPrefix}-rate-${index}-unit`}
              value={row.unit}
              onChange={(event) =>
                change(index, { unit: (event.currentTarget as HTMLSelectElement).value as RateLimit['unit'] })
              }
            >
              {RATE_UNITS.map(([unit, said]) => (
                <option key={unit} value={unit}>
                  {said.replace(/^an? /, '')}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            onClick={() => onChange(rows.filter((_row, at) => at !== index))}
            aria-label={`Remove rate limit ${index + 1}`}
          >
            Remove
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...rows, NEW_RATE_LIMIT])}>
        Add a rate limit
      </button>
    </fieldset>
  );
}
