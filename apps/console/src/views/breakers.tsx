import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorNote } from '../components/error-note.js';

/** A circuit breaker as `GET /breakers` lists it. */
export interface Breaker {
  readonly id: string;
  readonly state: 'open' | 'half_open' | 'counting';
  readonly open_until: string | null;
  /** Half-open with a probe request under way: when that probe expires. */
  readonly probe_until: string | null;
  readonly failures: number;
  readonly successes: number;
  readonly window_ends_at: string | null;
  readonly target_path: string | null;
  readonly target: Readonly<Record<string, unknown>> | null;
  readonly config: Readonly<Record<string, unknown>>;
}

interface BreakerList {
  readonly breaker_store: 'memory' | 'redis';
  readonly data: Breaker[];
}

/**
 * Where a breaker belongs: a saved config's slug with the tenant whose requests it counts (each
 * tenant has its own breakers on a saved config), or the key whose inline config it is.
 */
export function configLabel(config: Breaker['config']): string {
  if (config.type === 'saved') {
    return config.tenant === undefined || config.tenant === null
      ? String(config.slug)
      : `${String(config.slug)} (tenant ${String(config.tenant)})`;
  }
  if (config.type === 'inline') {
    return `inline config of key ${String(config.gateway_key_name ?? config.gateway_key_id)}`;
  }
  return 'unknown config';
}

/** What a breaker watches: the target's name, then its virtual key (or provider) and model. */
export function targetLabel(target: Breaker['target']): string {
  if (target === null) return '';
  const credential = typeof target.virtual_key === 'string' ? `@${target.virtual_key}` : target.provider;
  return [target.name, credential, target.model].filter((part) => typeof part === 'string').join(' · ');
}

const clock = (iso: string | null): string => (iso === null ? '' : new Date(iso).toLocaleTimeString());

/**
 * Circuit breakers (admin): the targets a config's `cb_config` is skipping now, and those counting
 * failures towards it, with a Close action that sends the next request to the target again.
 */
export function BreakersView() {
  const [list, setList] = useState<BreakerList | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [closed, setClosed] = useState<string | null>(null);
  /** A refused Close, said in its breaker's row (the view's error line is above the list). */
  const [closeError, setCloseError] = useState<{ id: string; error: unknown } | null>(null);
  const load = () =>
    api<BreakerList>('/breakers')
      .then((answer) => {
        setList(answer);
        setError(null);
      })
      .catch(setError);
  useEffect(() => {
    void load();
  }, []);
  const close = async (breaker: Breaker) => {
    const what = `${configLabel(breaker.config)} ${breaker.target_path ?? ''}`;
    if (!window.confirm(`Close the breaker of ${what}? The next request tries that target again.`)) return;
    setCloseError(null);
    try {
      await api(`/breakers/${encodeURIComponent(breaker.id)}`, { method: 'DELETE' });
      setClosed(what);
      await load();
    } catch (caught) {
      setCloseError({ id: breaker.id, error: caught });
    }
  };
  return (
    <section aria-labelledby="breakers-title">
      <h1 id="breakers-title">Circuit breakers</h1>
      <p class="muted">
        A config's <code>strategy.cb_config</code> opens a target's breaker when it keeps failing: requests
        skip that target until the cooldown ends, or until you close the breaker here.
      </p>
      <ErrorNote error={error} />
      {closed ? (
        <p class="notice" role="status">
          Closed the breaker of {closed}.
        </p>
      ) : null}
      <button type="button" onClick={() => void load()}>
        Refresh
      </button>
      {list === null ? (
        error ? null : (
          <p>Loading…</p>
        )
      ) : (
        <>
          {list.breaker_store === 'memory' ? (
            <p class="muted" data-testid="breaker-store">
              Breakers are kept in this gateway process (<code>PK_BREAKER_STORE=memory</code>): other replicas
              have their own.
            </p>
          ) : null}
          {list.data.length === 0 ? (
            <p>No breaker is open, half-open or counting failures.</p>
          ) : (
            <table class="data">
              <caption>Breakers open, half-open or counting failures, open ones first</caption>
              <thead>
                <tr>
                  <th scope="col">Config</th>
                  <th scope="col">Target</th>
                  <th scope="col">State</th>
                  <th scope="col">Failures</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((breaker) => (
                  <tr key={breaker.id}>
                    <td>{configLabel(breaker.config)}</td>
                    <td>
                      <span class="mono">{breaker.target_path}</span> {targetLabel(breaker.target)}
                    </td>
                    <td class={breaker.state === 'open' ? 'bad' : undefined}>
                      {breaker.state === 'open'
                        ? `open until ${clock(breaker.open_until)}`
                        : breaker.state === 'half_open'
                          ? breaker.probe_until === null
                            ? 'half-open: the next request probes'
                            : `half-open: probing until ${clock(breaker.probe_until)}`
                          : `counting until ${clock(breaker.window_ends_at)}`}
                    </td>
                    <td>
                      {breaker.failures} of {breaker.failures + breaker.successes}
                    </td>
                    <td>
                      <button
                        type="button"
                        class="danger"
                        onClick={() => void close(breaker)}
                        aria-label={`Close the breaker of ${configLabel(breaker.config)} ${breaker.target_path ?? ''}`}
                      >
                        Close
                      </button>
                      {closeError?.id === breaker.id ? <ErrorNote error={closeError.error} reveal /> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
