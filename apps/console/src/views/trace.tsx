import { api } from '../api.js';
import { ErrorNote } from '../components/error-note.js';
import { Link } from '../components/link.js';
import { UserText } from '../components/user-text.js';
import { type LogRecord, pick, timeOf } from '../log-record.js';
import { useAnswer } from '../use-answer.js';
import { Feedback } from './request.js';

/** A request in the span tree, with its depth. */
export interface Span {
  readonly record: LogRecord;
  readonly depth: number;
  readonly start: number;
  readonly duration: number;
}

/**
 * The requests of a trace as a span tree, depth first in time order: a request whose parent span id
 * names another request's span id sits under it; the rest are roots.
 */
export function spanTree(records: readonly LogRecord[]): Span[] {
  const startOf = (record: LogRecord) => new Date(String(timeOf(record))).getTime() || 0;
  const sorted = [...records].sort((a, b) => startOf(a) - startOf(b));
  const bySpan = new Map<string, LogRecord>();
  for (const record of sorted) {
    const span = pick(record, 'span_id');
    if (typeof span === 'string') bySpan.set(span, record);
  }
  const children = new Map<LogRecord | null, LogRecord[]>();
  for (const record of sorted) {
    const parentId = pick(record, 'parent_span_id');
    const parent = typeof parentId === 'string' ? (bySpan.get(parentId) ?? null) : null;
    const list = children.get(parent === record ? null : parent) ?? [];
    list.push(record);
    children.set(parent === record ? null : parent, list);
  }
  const out: Span[] = [];
  const seen = new Set<LogRecord>();
  const visit = (record: LogRecord, depth: number) => {
    if (seen.has(record)) return;
    seen.add(record);
    const latency = pick(record, 'latency_ms');
    out.push({ record, depth, start: startOf(record), duration: typeof latency === 'number' ? latency : 0 });
    for (const child of children.get(record) ?? []) visit(child, depth + 1);
  };
  for (const root of children.get(null) ?? []) visit(root, 0);
  for (const record of sorted) visit(record, 0);
  return out;
}

/** Levels of nesting the waterfall indents; a deeper span is indented as this level and shows its depth. */
export const MAX_INDENT_DEPTH = 12;
/** The indentation of one level, in rem. */
const INDENT_REM = 1.25;

/**
 * How a span of `depth` is indented (in rem, at most {@link MAX_INDENT_DEPTH} levels, so a chain of
 * 150 nested calls stays within the page) and the depth it shows as a number past that cap.
 */
export function indentOf(depth: number): { readonly rem: number; readonly depthShown: number | null } {
  return {
    rem: Math.min(depth, MAX_INDENT_DEPTH) * INDENT_REM,
    depthShown: depth > MAX_INDENT_DEPTH ? depth : null,
  };
}

/**
 * Every request of a trace id as a waterfall: the names indented by nesting, the bars all on one time
 * axis the width of the list (the indentation never narrows them); then the feedback on the trace.
 */
export function TraceView(props: { traceId: string }) {
  // The trace the address names, never the last one's spans or failure (a jump through history reuses the view).
  const answer = useAnswer(props.traceId, () =>
    api<{ requests: LogRecord[]; feedback?: unknown }>(`/traces/${encodeURIComponent(props.traceId)}`),
  );
  if (answer?.state === 'failed') {
    // A link to a trace no longer kept (or mistyped): what was asked for, why not, and its logs.
    return (
      <section aria-labelledby="trace-title">
        <h1 id="trace-title">
          Trace <UserText value={props.traceId} />
        </h1>
        <ErrorNote error={answer.error} />
        <p>
          <Link to={`/logs?trace_id=${encodeURIComponent(props.traceId)}`}>Show in logs</Link>
        </p>
      </section>
    );
  }
  if (answer?.state !== 'done') return <p aria-live="polite">Loading…</p>;
  const records = answer.value.requests;
  const spans = spanTree(records);
  const begin = Math.min(...spans.map((span) => span.start));
  const end = Math.max(...spans.map((span) => span.start + span.duration), begin + 1);
  return (
    <section aria-labelledby="trace-title">
      <h1 id="trace-title">
        Trace <UserText value={props.traceId} />
      </h1>
      <p>
        {spans.length} {spans.length === 1 ? 'request' : 'requests'} over {Math.round(end - begin)} ms.{' '}
        <Link to={`/logs?trace_id=${encodeURIComponent(props.traceId)}`}>Show in logs</Link>
      </p>
      <ol class="waterfall" aria-label="Spans">
        {spans.map((span) => {
          const indent = indentOf(span.depth);
          // On one axis; a bar at least 0.5% wide, never past the track's end.
          const width = Math.max(0.5, (span.duration / (end - begin)) * 100);
          const left = Math.min(((span.start - begin) / (end - begin)) * 100, 100 - width);
          return (
            <li key={span.record.id} data-testid="span" data-depth={span.depth}>
              <div class="span-head" style={{ paddingLeft: `${indent.rem}rem` }}>
                {indent.depthShown === null ? null : (
                  <span class="badge" title={`Nested ${indent.depthShown} levels deep`}>
                    depth {indent.depthShown}
                  </span>
                )}
                <Link to={`/logs/${encodeURIComponent(span.record.id)}`}>
                  <UserText value={pick(span.record, 'span_name') ?? pick(span.record, 'model')} />
                </Link>
                <span>
                  status <UserText value={pick(span.record, 'status')} />
                </span>
                <span>{span.duration} ms</span>
              </div>
              <div class="bar-track" aria-hidden="true">
                <div class="bar" style={{ marginLeft: `${left}%`, width: `${width}%` }} />
              </div>
            </li>
          );
        })}
      </ol>
      <h2>Feedback</h2>
      <Feedback value={answer.value.feedback} />
    </section>
  );
}
