import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api.js';
import {
  anyRunning,
  DEFAULT_EXPORT_FIELDS,
  downloadUrlOf,
  exportDescriptionOf,
  exportFiltersOf,
  exportProgressText,
  type LogExport,
  MAX_EXPORT_RECORDS,
  startable,
} from '../log-export.js';
import { showBidiControls, timeText } from '../log-record.js';
import type { LogsFilter } from '../logs-filter.js';
import { EmptyRow } from './empty-row.js';
import { ErrorNote } from './error-note.js';

/** How often the list is asked again while an export runs. */
const POLL_MS = 1000;

const exportPath = (id: string, action = '') => `/logs/exports/${encodeURIComponent(id)}${action}`;

/** One export's row: what it exports, its status and records, and what can be done with it now. */
function ExportRow(props: { item: LogExport; onAction: (work: () => Promise<unknown>) => void }) {
  const { item, onAction } = props;
  const post = (action: string) => () => onAction(() => api(exportPath(item.id, action), { method: 'POST' }));
  const download = () =>
    onAction(async () => {
      const link = await api<{ signed_url?: unknown }>(exportPath(item.id, '/download'));
      const url = downloadUrlOf(link.signed_url, window.location.href);
      if (url === null) throw new Error('the gateway answered no download link');
      // An attachment: the browser saves the file and the page stays.
      window.location.assign(url);
    });
  const remove = () => {
    if (!window.confirm(`Delete the export "${showBidiControls(item.description || item.id)}" and its file?`))
      return;
    onAction(() => api(exportPath(item.id), { method: 'DELETE' }));
  };
  return (
    <tr>
      <td title={item.description ? showBidiControls(item.description) : undefined}>
        {item.description ? (
          <bdi>{showBidiControls(item.description)}</bdi>
        ) : (
          <span class="mono">{item.id}</span>
        )}
      </td>
      <td>{timeText(item.created_at)}</td>
      <td class={item.status === 'failed' ? 'bad' : item.status === 'success' ? 'good' : undefined}>
        {item.status === 'in_progress' ? 'in progress' : item.status}
        {item.error ? <span class="muted"> ({item.error})</span> : null}
      </td>
      <td class="num">
        {item.status === 'in_progress' ? <progress aria-label={`Export ${item.id} running`} /> : null}{' '}
        {exportProgressText(item)}
      </td>
      <td>
        {item.status === 'success' ? (
          <button type="button" onClick={download} aria-label={`Download ${item.id}`}>
            Download
          </button>
        ) : null}
        {item.status === 'in_progress' ? (
          <button type="button" onClick={post('/cancel')} aria-label={`Cancel ${item.id}`}>
            Cancel
          </button>
        ) : null}
        {startable(item) ? (
          <button type="button" onClick={post('/start')} aria-label={`Start ${item.id}`}>
            {item.status === 'draft' ? 'Start' : 'Run again'}
          </button>
        ) : null}{' '}
        <button type="button" class="danger" onClick={remove} aria-label={`Delete ${item.id}`}>
          Delete
        </button>
      </td>
    </tr>
  );
}

/**
 * The logs view's exports: _Export these logs_ makes an export of the view's filter (the gateway's
 * `POST …/logs/exports`, default fields) and starts it; the table lists the key's exports, asked again
 * every second while one runs, with Download, Cancel, Start and Delete.
 */
export function LogExports(props: { filter: LogsFilter }) {
  const [items, setItems] = useState<LogExport[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  /** Set when the key may not export (its scopes lack `logs.export`): the section says so, no more. */
  const [forbidden, setForbidden] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const alive = useRef(true);
  const load = () =>
    api<{ data: LogExport[] }>('/logs/exports')
      .then((list) => alive.current && setItems(list.data))
      .catch((caught: unknown) => {
        if (!alive.current) return;
        if (caught instanceof ApiError && caught.status === 403) setForbidden(caught.message);
        else setError(caught);
      });
  useEffect(() => {
    alive.current = true;
    void load();
    return () => {
      alive.current = false;
    };
  }, []);
  const running = items !== null && anyRunning(items);
  useEffect(() => {
    if (!running) return undefined;
    const timer = setTimeout(() => void load(), POLL_MS);
    return () => clearTimeout(timer);
  }, [items]);

  const onAction = async (work: () => Promise<unknown>) => {
    setError(null);
    setBusy(true);
    try {
      await work();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
    await load();
  };
  const mapped = exportFiltersOf(props.filter);
  const exportNow = () =>
    onAction(async () => {
      if (!mapped.ok) return;
      const created = await api<{ id: string }>('/logs/exports', {
        method: 'POST',
        body: {
          filters: mapped.filters,
          requested_data: DEFAULT_EXPORT_FIELDS,
          description: exportDescriptionOf(props.filter),
        },
      });
      await api(exportPath(created.id, '/start'), { method: 'POST' });
    });

  return (
    <section aria-labelledby="exports-title">
      <h2 id="exports-title">Export</h2>
      {forbidden !== null ? (
        <p class="muted">This key cannot export logs: {forbidden}.</p>
      ) : (
        <>
          <p id="export-help" class="muted">
            A JSONL file of the records this view's filter matches, newest first, up to{' '}
            {MAX_EXPORT_RECORDS.toLocaleString('en')}, as logged when the export starts; each line has{' '}
            {DEFAULT_EXPORT_FIELDS.join(', ')} (cost in cents).
          </p>
          {mapped.ok ? null : (
            <p id="export-problem" class="bad">
              This view cannot be exported as it is: {mapped.problems.join('; ')}. Change the filter to export
              it.
            </p>
          )}
          <div class="toolbar">
            <button
              type="button"
              disabled={busy || !mapped.ok}
              aria-describedby={mapped.ok ? 'export-help' : 'export-problem'}
              onClick={exportNow}
            >
              Export these logs
            </button>
            <span class="muted" role="status">
              {running ? 'Exporting… the table follows its progress.' : ''}
            </span>
          </div>
          <ErrorNote error={error} />
          {items === null ? (
            error ? null : (
              <p>Loading…</p>
            )
          ) : (
            <table class="data">
              <caption>Exports</caption>
              <thead>
                <tr>
                  <th scope="col">Export</th>
                  <th scope="col">Created</th>
                  <th scope="col">Status</th>
                  <th scope="col" class="num">
                    Records
                  </th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {items.length === 0 ? (
                  <EmptyRow columns={5}>
                    None yet: <em>Export these logs</em> makes one.
                  </EmptyRow>
                ) : null}
                {items.map((item) => (
                  <ExportRow key={item.id} item={item} onAction={onAction} />
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
