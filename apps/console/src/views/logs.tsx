import { useEffect, useRef, useState } from 'preact/hooks';
import { api, queryString } from '../api.js';
import { ErrorNote } from '../components/error-note.js';
import { Link } from '../components/link.js';
import { LogExports } from '../components/log-exports.js';
import { UserText } from '../components/user-text.js';
import { VirtualTable } from '../components/virtual-table.js';
import {
  durationText,
  hasBidiControls,
  type LogRecord,
  modelText,
  pick,
  recordCostText,
  showBidiControls,
  text,
  timeOf,
  timeText,
  tokensOf,
  userOf,
} from '../log-record.js';
import {
  FILTER_FIELDS,
  type FilterField,
  filterFromSearch,
  filterPairs,
  formFilter,
  invalidAddressFilter,
  isoToLocal,
  type LogsFilter,
  localToIso,
  MAX_METADATA_PAIRS,
  periodProblem,
  rememberLogsSearch,
} from '../logs-filter.js';
import { type LogsPage, mergeRecords, newestKey, readNewer, TAIL_PAGE, type TailGap } from '../logs-tail.js';
import { costSourceText, strategyNotes } from '../record-cost.js';
import { navigate } from '../router.js';

const COLUMNS = [
  { title: 'Time' },
  { title: 'Status' },
  { title: 'Provider' },
  { title: 'Model' },
  { title: 'Tokens', class: 'num' },
  { title: 'Cost', class: 'num' },
  { title: 'Latency', class: 'num' },
  { title: 'Cache' },
  { title: 'Trace' },
  { title: 'User' },
];

const LABELS: Record<FilterField, string> = {
  trace_id: 'Trace id',
  status: 'Status',
  failed: 'Outcome',
  error_code: 'Error code',
  provider: 'Provider',
  model: 'Model',
  virtual_key: 'Virtual key',
  config: 'Config',
  prompt: 'Prompt',
  cache_status: 'Cache status',
  cost_min: 'Cost from (cents)',
  cost_max: 'Cost up to (cents)',
  from: 'From',
  to: 'To',
};

/** How often the live tail asks for new records. */
const TAIL_MS = 2000;

function LogRow(props: { record: LogRecord }) {
  const { record } = props;
  const status = pick(record, 'status');
  const trace = pick(record, 'trace_id');
  const user = userOf(record);
  // A stream answered 200 that then ended with an error event: its record has an error code.
  const errorCode = pick(record, 'error_code');
  const failedAfterStart = typeof status === 'number' && status < 400 && typeof errorCode === 'string';
  // Retries and a fallback, as Portkey's Status column shows them (from the listed record alone).
  const notes = strategyNotes(record);
  return (
    <>
      <td>
        <Link to={`/logs/${encodeURIComponent(record.id)}`}>{timeText(timeOf(record))}</Link>
      </td>
      <td class={(typeof status === 'number' && status >= 400) || failedAfterStart ? 'bad' : 'good'}>
        {text(status)}
        {failedAfterStart ? (
          <>
            {' · '}
            <UserText value={errorCode} />
          </>
        ) : null}
        {notes.length > 0 ? <span class="muted"> · {notes.join(', ')}</span> : null}
      </td>
      <td>
        <UserText value={pick(record, 'provider')} />
      </td>
      <td>
        <bdi>{modelText(record)}</bdi>
      </td>
      <td class="num">{text(tokensOf(record))}</td>
      <td class="num" title={costSourceText(record)}>
        {recordCostText(record)}
      </td>
      <td class="num">{durationText(pick(record, 'latency_ms'))}</td>
      <td>
        <UserText value={pick(record, 'cache_status')} />
      </td>
      <td class="mono">
        {typeof trace === 'string' ? (
          <Link to={`/traces/${encodeURIComponent(trace)}`}>
            <UserText value={trace} />
          </Link>
        ) : (
          '—'
        )}
      </td>
      <td>
        {typeof user === 'string' ? (
          // Every request of this user: the `_user` metadata filter alone.
          <Link to={`/logs?${new URLSearchParams({ 'metadata._user': user })}`}>
            <UserText value={user} />
          </Link>
        ) : (
          <UserText value={user} />
        )}
      </td>
    </>
  );
}

/** The filter form: every field of the query API, metadata pairs, a time range. */
function FilterForm(props: { filter: LogsFilter; onApply: (filter: LogsFilter) => void }) {
  const [fields, setFields] = useState(props.filter.fields);
  const [metadata, setMetadata] = useState<[string, string][]>(
    props.filter.metadata.length > 0 ? props.filter.metadata.map(([k, v]) => [k, v]) : [['', '']],
  );
  const setField = (name: FilterField, value: string) => setFields({ ...fields, [name]: value });
  // An input shows its value with its direction controls applied: the form names each such value.
  const reordering = [
    ...FILTER_FIELDS.map((name) => [LABELS[name], fields[name] ?? ''] as const),
    ...metadata.flatMap(([key, value]) => [
      ['Metadata key', key] as const,
      [`Metadata ${key === '' ? 'value' : `value of ${showBidiControls(key)}`}`, value] as const,
    ]),
  ].filter(([, value]) => hasBidiControls(value));
  const submit = (event: Event) => {
    event.preventDefault();
    props.onApply(formFilter(fields, metadata));
  };
  return (
    <form class="filters" onSubmit={submit} aria-label="Filter logs">
      {FILTER_FIELDS.map((name) => {
        const id = `filter-${name}`;
        const isTime = name === 'from' || name === 'to';
        const isCost = name === 'cost_min' || name === 'cost_max';
        if (name === 'failed')
          // The failed requests: an error status, or a stream that ended with an error after its 200.
          return (
            <label for={id} key={name}>
              {LABELS[name]}
              <select
                id={id}
                name={name}
                value={fields[name] ?? ''}
                onChange={(event) => setField(name, (event.currentTarget as HTMLSelectElement).value)}
              >
                <option value="">Any</option>
                <option value="true">Failed</option>
                <option value="false">Succeeded</option>
              </select>
            </label>
          );
        return (
          <label for={id} key={name}>
            {LABELS[name]}
            <input
              id={id}
              name={name}
              type={isTime ? 'datetime-local' : isCost ? 'number' : 'text'}
              {...(isCost ? { min: 0, step: 'any', inputMode: 'decimal' as const } : {})}
              value={isTime ? isoToLocal(fields[name]) : (fields[name] ?? '')}
              onInput={(event) => {
                const value = (event.currentTarget as HTMLInputElement).value;
                setField(name, isTime ? localToIso(value) : value);
              }}
            />
          </label>
        );
      })}
      <fieldset class="metadata">
        <legend>Metadata</legend>
        {metadata.map(([key, value], index) => (
          <div class="pair" key={index}>
            {/* Each pair's fields named apart (Key, then Key 2 …): a screen reader tells them from each other. */}
            <label>
              {index === 0 ? 'Key' : `Key ${index + 1}`}
              <input
                name={`metadata-key-${index}`}
                value={key}
                placeholder="_user"
                onInput={(event) => {
                  const next = [...metadata];
                  next[index] = [(event.currentTarget as HTMLInputElement).value, value];
                  setMetadata(next);
                }}
              />
            </label>
            <label>
              {index === 0 ? 'Value' : `Value ${index + 1}`}
              <input
                name={`metadata-value-${index}`}
                value={value}
                onInput={(event) => {
                  const next = [...metadata];
                  next[index] = [key, (event.currentTarget as HTMLInputElement).value];
                  setMetadata(next);
                }}
              />
            </label>
          </div>
        ))}
        <button
          type="button"
          disabled={metadata.length >= MAX_METADATA_PAIRS}
          onClick={() => setMetadata([...metadata, ['', '']])}
        >
          Add metadata pair
        </button>
        {metadata.length >= MAX_METADATA_PAIRS && (
          <span class="muted">At most {MAX_METADATA_PAIRS} metadata pairs.</span>
        )}
      </fieldset>
      {reordering.length > 0 ? (
        <p class="notice" role="status" data-testid="bidi-filter">
          These values hold characters that reverse or reorder the text around them (shown here as escapes):{' '}
          {reordering.map(([label, value], index) => (
            <span key={index}>
              {index > 0 ? '; ' : ''}
              {label}{' '}
              <code>
                <UserText value={value} />
              </code>
            </span>
          ))}
        </p>
      ) : null}
      <div class="actions">
        <button type="submit">Apply filters</button>
        <button
          type="button"
          onClick={() => {
            setFields({});
            setMetadata([['', '']]);
            props.onApply({ fields: {}, metadata: [] });
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}

/** The logs: a virtualised table, the filter kept in the URL, a live tail, and exports of the filter. */
export function LogsView(props: { search: URLSearchParams }) {
  const searchText = props.search.toString();
  rememberLogsSearch(searchText);
  const filter = filterFromSearch(props.search);
  // A filter no record can match as the address holds it: said instead of asking for records.
  const addressProblem = filter.ignored ? invalidAddressFilter(filter.ignored) : periodProblem(filter);
  const [records, setRecords] = useState<LogRecord[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  // The first page is asked for at once (the effect below): until it answers, nothing is "empty".
  const [loading, setLoading] = useState(true);
  const [tail, setTail] = useState(false);
  const loadingMore = useRef(false);
  const [elapsedMs, setElapsedMs] = useState<number | null>(null);
  // Records that arrived while tailing, more than a poll reads: shown as gaps to load, never lost.
  const [gaps, setGaps] = useState<TailGap[]>([]);
  // A poll of the live tail that failed (the gateway restarting): said, and the tail keeps polling.
  const [tailError, setTailError] = useState<unknown>(null);
  const [loadingGap, setLoadingGap] = useState<TailGap | null>(null);
  const shown = useRef<{ records: LogRecord[]; complete: boolean; ready: boolean }>({
    records: [],
    complete: true,
    ready: false,
  });
  shown.current = { records, complete: cursor === null, ready: !loading && error === null };
  const reading = useRef(false);
  const currentSearch = useRef(searchText);
  currentSearch.current = searchText;

  const query = (extra: [string, string][] = []) => queryString([...filterPairs(filter), ...extra]);
  const newerPage = (pageCursor: string | undefined) =>
    api<LogsPage>(
      `/logs${query([['limit', String(TAIL_PAGE)], ...(pageCursor === undefined ? [] : [['cursor', pageCursor] as [string, string]])])}`,
    );

  useEffect(() => {
    let cancelled = false;
    // Rows of another filter must not stand under this one's error.
    const fail = (caught: unknown) => {
      setRecords([]);
      setCursor(null);
      setElapsedMs(null);
      setError(caught);
    };
    if (addressProblem !== null) {
      // Showing every record (or none) for a filter the address got wrong would look like its answer.
      setLoading(false);
      fail(new Error(addressProblem));
      return undefined;
    }
    setLoading(true);
    setError(null);
    setGaps([]);
    const started = performance.now();
    api<LogsPage>(`/logs${query([['limit', '50']])}`)
      .then((page) => {
        if (cancelled) return;
        setRecords(page.data);
        setCursor(page.next_cursor);
        setElapsedMs(Math.round(performance.now() - started));
      })
      .catch((caught: unknown) => !cancelled && fail(caught))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
  }, [searchText]);

  useEffect(() => {
    setTailError(null);
    if (!tail || addressProblem !== null) return undefined;
    let stopped = false;
    const timer = setInterval(() => {
      // One read at a time, and none before the first page is shown (its records are the anchor).
      if (reading.current || !shown.current.ready) return;
      reading.current = true;
      // Every record newer than the newest one shown, page by page up to a cap; the rest is a gap.
      readNewer(newerPage, newestKey(shown.current.records))
        .then(({ records: fresh, gap }) => {
          if (stopped) return;
          setTailError(null);
          setRecords((current) => mergeRecords(current, fresh, shown.current.complete));
          if (gap) setGaps((current) => [gap, ...current]);
        })
        // Not the view's error: that would stop the polls (they wait for a view without one) and keep
        // the message up after the gateway is back.
        .catch((caught: unknown) => !stopped && setTailError(caught))
        .finally(() => {
          reading.current = false;
        });
    }, TAIL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [tail, searchText]);

  /** Reads a gap the tail left, up to the cap again (what remains stays a gap). */
  const loadGap = (gap: TailGap) => {
    const search = searchText;
    setLoadingGap(gap);
    if (reading.current) {
      // A poll is reading: this waits for it rather than doing nothing.
      setTimeout(() => search === currentSearch.current && loadGap(gap), 100);
      return;
    }
    reading.current = true;
    readNewer(newerPage, gap.until, { cursor: gap.cursor })
      .then(({ records: fresh, gap: rest }) => {
        if (search !== currentSearch.current) return;
        setRecords((current) => mergeRecords(current, fresh, shown.current.complete));
        setGaps((current) => current.flatMap((each) => (each === gap ? (rest ? [rest] : []) : [each])));
      })
      .catch(setError)
      .finally(() => {
        reading.current = false;
        setLoadingGap(null);
      });
  };

  const loadMore = () => {
    if (cursor === null || loadingMore.current) return;
    loadingMore.current = true;
    api<LogsPage>(
      `/logs${query([
        ['limit', '50'],
        ['cursor', cursor],
      ])}`,
    )
      .then((page) => {
        setRecords((current) => {
          // The tail may have placed a late record the next page holds too: each record once.
          const known = new Set(current.map((record) => record.id));
          return [...current, ...page.data.filter((record) => !known.has(record.id))];
        });
        setCursor(page.next_cursor);
      })
      .catch(setError)
      .finally(() => {
        loadingMore.current = false;
      });
  };

  return (
    <section aria-labelledby="logs-title">
      <h1 id="logs-title">Logs</h1>
      <FilterForm
        key={searchText}
        filter={filter}
        onApply={(next) => navigate(`/logs${queryString(filterPairs(next))}`)}
      />
      <div class="toolbar">
        <label class="inline">
          <input
            type="checkbox"
            checked={tail}
            onChange={(event) => setTail((event.currentTarget as HTMLInputElement).checked)}
          />
          Live tail
        </label>
        <span class="muted" aria-live="polite">
          {loading
            ? 'Loading…'
            : `${records.length} shown${cursor ? ', more below' : ''}${elapsedMs === null ? '' : ` · first page in ${elapsedMs} ms`}`}
        </span>
      </div>
      <ErrorNote error={error} />
      {tailError !== null && error === null ? (
        <p class="notice" role="status" data-testid="tail-error">
          The live tail could not read new records (
          {tailError instanceof Error ? tailError.message : String(tailError)}). It tries again every{' '}
          {TAIL_MS / 1000} s.
        </p>
      ) : null}
      {gaps.map((gap) => (
        <p class="notice" role="status" key={gap.cursor} data-testid="tail-gap">
          More records arrived than the live tail reads at once:{' '}
          {gap.until === null
            ? `the ones older than ${timeText(gap.after)}`
            : `the ones between ${timeText(gap.until.time)} and ${timeText(gap.after)}`}{' '}
          are not shown yet.{' '}
          <button type="button" disabled={loadingGap === gap} onClick={() => loadGap(gap)}>
            {loadingGap === gap ? 'Loading…' : 'Load them'}
          </button>
        </p>
      ))}
      <VirtualTable
        caption="Requests, newest first"
        columns={COLUMNS}
        rows={records}
        rowKey={(record) => record.id}
        renderRow={(record) => <LogRow record={record} />}
        onNearEnd={loadMore}
        empty={
          loading || error !== null
            ? null
            : filterPairs(filter).length > 0
              ? 'No request matches these filters.'
              : 'No request logged yet: the requests sent through the gateway show here.'
        }
      />
      {cursor !== null ? (
        <button type="button" onClick={loadMore}>
          Load more
        </button>
      ) : null}
      <LogExports filter={filter} />
    </section>
  );
}
