import { api } from '../api.js';
import { ErrorNote } from '../components/error-note.js';
import { Link } from '../components/link.js';
import { UserText } from '../components/user-text.js';
import {
  attemptsOf,
  durationText,
  isCacheHit,
  type LogAttempt,
  type LogRecord,
  pick,
  recordCostText,
  showBidiControls,
  text,
  timeOf,
  timeText,
} from '../log-record.js';
import { logsListPath } from '../logs-filter.js';
import {
  attemptRoles,
  cacheStatusText,
  costPartsOf,
  costSourceText,
  costStatusText,
  retryText,
  tokenUsageText,
} from '../record-cost.js';
import { useAnswer } from '../use-answer.js';

/** Where an attempt starts, in ms from the request's start (its own start time when it has one). */
export function attemptOffsets(attempts: readonly LogAttempt[], requestStart: number | null): number[] {
  let next = 0;
  return attempts.map((attempt) => {
    let offset: number | null = typeof attempt.start_offset_ms === 'number' ? attempt.start_offset_ms : null;
    if (
      offset === null &&
      attempt.started_at !== undefined &&
      attempt.started_at !== null &&
      requestStart !== null
    ) {
      const started = new Date(attempt.started_at).getTime();
      if (!Number.isNaN(started)) offset = Math.max(0, started - requestStart);
    }
    const start = offset ?? next;
    next = start + (attempt.latency_ms ?? 0);
    return start;
  });
}

/**
 * Each fallback target and retry, in order, as bars on one time axis, with what it was (the first
 * try, a retry of the same target, a fallback to another), status, latency and error.
 */
export function AttemptTimeline(props: {
  attempts: readonly LogAttempt[];
  requestStart: number | null;
  /** The request's cache status: a hit made no attempt. */
  cacheStatus?: unknown;
}) {
  const { attempts } = props;
  if (attempts.length === 0)
    return (
      <p class="muted">
        {isCacheHit(props.cacheStatus)
          ? 'Answered from the cache: no attempt, nothing was sent to a provider.'
          : 'No attempts were recorded for this request.'}
      </p>
    );
  const offsets = attemptOffsets(attempts, props.requestStart);
  const roles = attemptRoles(attempts);
  const total = Math.max(
    1,
    ...attempts.map((attempt, index) => (offsets[index] ?? 0) + (attempt.latency_ms ?? 0)),
  );
  return (
    <ol class="timeline" aria-label="Attempts">
      {attempts.map((attempt, index) => {
        const ok = typeof attempt.status === 'number' && attempt.status < 400;
        const cached = isCacheHit(attempt.cache_status);
        const left = ((offsets[index] ?? 0) / total) * 100;
        const width = Math.max(0.5, ((attempt.latency_ms ?? 0) / total) * 100);
        return (
          <li key={index} class={`attempt ${ok ? 'good' : 'bad'}`} data-testid="attempt">
            <div class="attempt-head">
              <strong>Attempt {index + 1}</strong>
              <span class="badge">{roles[index]?.label}</span>
              <span>
                target <UserText value={attempt.target_path} />
              </span>
              <span>
                <UserText value={attempt.provider} />
              </span>
              {attempt.model ? (
                <span>
                  <UserText value={attempt.model} />
                </span>
              ) : null}
              <span class="status">status {text(attempt.status)}</span>
              <span>{durationText(attempt.latency_ms)}</span>
              {attempt.error_code ? (
                <span class="bad">
                  <UserText value={attempt.error_code} />
                </span>
              ) : null}
              {cached ? <span class="badge">cache hit</span> : null}
              {attempt.not_sent === true ? (
                <span class="badge" title="The gateway refused it itself: nothing went to the provider">
                  not sent
                </span>
              ) : null}
            </div>
            <div class="bar-track" aria-hidden="true">
              <div class="bar" style={{ marginLeft: `${left}%`, width: `${width}%` }} />
            </div>
          </li>
        );
      })}
    </ol>
  );
}

function Pairs(props: { value: unknown; label: string }) {
  const value = props.value;
  if (value === null || value === undefined || typeof value !== 'object' || Object.keys(value).length === 0) {
    return <p class="muted">None.</p>;
  }
  return (
    <table class="pairs" aria-label={props.label}>
      <tbody>
        {Object.entries(value as Record<string, unknown>).map(([key, entry]) => (
          <tr key={key}>
            <th scope="row">
              <UserText value={key} />
            </th>
            <td>
              <UserText value={entry} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The feedback on a trace (`portkey.feedback.create`, hooks' `on_fail` / `on_success`), oldest first. */
export function Feedback(props: { value: unknown }) {
  const entries = Array.isArray(props.value) ? (props.value as Record<string, unknown>[]) : [];
  if (entries.length === 0) return <p class="muted">None.</p>;
  return (
    <ul class="feedback">
      {entries.map((entry, index) => (
        <li key={text(entry.id ?? index)}>
          value <UserText value={entry.value} />, weight <UserText value={entry.weight} />
          {entry.metadata ? (
            <>
              {' · '}
              <UserText value={entry.metadata} />
            </>
          ) : (
            ''
          )}{' '}
          · {timeText(entry.created_at)}
        </li>
      ))}
    </ul>
  );
}

function Body(props: { title: string; value: unknown; truncated: unknown }) {
  if (props.value === null || props.value === undefined) return null;
  const body = showBidiControls(
    typeof props.value === 'string' ? props.value : JSON.stringify(props.value, null, 2),
  );
  return (
    <section>
      <h3>
        {props.title}
        {props.truncated === true ? ' (truncated at 64 KiB)' : ''}
      </h3>
      <pre class="body">{body}</pre>
    </section>
  );
}

/** One check of a hook as the logs API records it (`guardrails[].checks[]`). */
interface LoggedCheck {
  readonly id?: unknown;
  readonly verdict?: unknown;
  readonly execution_time?: unknown;
  readonly transformed?: unknown;
  readonly error?: unknown;
  readonly data?: unknown;
}

/** One hook as the logs API records it (`guardrails[]`). */
interface LoggedHook extends LoggedCheck {
  readonly event?: unknown;
  readonly deny?: unknown;
  readonly skipped?: unknown;
  /** Ran after the answer was sent (its verdict is reported, it denies nothing). */
  readonly async?: unknown;
  readonly checks?: unknown;
}

/** What a check found, in a line: its explanation, then its other figures (`detected {"ssn":1}`). */
function checkFindings(check: LoggedCheck): string {
  const data = check.data;
  if (typeof data !== 'object' || data === null)
    return typeof check.error === 'string' ? text(check.error) : '';
  const { explanation, ...rest } = data as Record<string, unknown>;
  const parts = typeof explanation === 'string' ? [text(explanation)] : [];
  for (const [key, value] of Object.entries(rest)) parts.push(`${key} ${text(value)}`);
  if (typeof check.error === 'string') parts.push(`error: ${text(check.error)}`);
  return parts.join(' · ');
}

/**
 * The hooks that ran (`guardrails` of the record): each with where it ran, its verdict, whether it
 * denied the request, its time, and its checks with what they found.
 */
export function GuardrailResults(props: { value: unknown }) {
  const hooks = Array.isArray(props.value) ? (props.value as LoggedHook[]) : [];
  if (hooks.length === 0) return <p class="muted">None.</p>;
  return (
    <ol class="timeline" aria-label="Guardrails">
      {hooks.map((hook, index) => {
        const passed = hook.verdict === true;
        const checks = Array.isArray(hook.checks) ? (hook.checks as LoggedCheck[]) : [];
        return (
          <li key={index} class={`attempt ${passed ? 'good' : 'bad'}`} data-testid="guardrail">
            <div class="attempt-head">
              <strong>
                <UserText value={hook.id} />
              </strong>
              <span>{hook.event === 'after_request' ? 'on the answer' : 'before the request'}</span>
              <span class={passed ? 'good' : 'bad'}>
                {hook.skipped === true ? 'skipped' : passed ? 'passed' : 'failed'}
              </span>
              {hook.async === true ? <span class="badge">async: after the answer</span> : null}
              {hook.deny === true ? <span class="badge">denied the request</span> : null}
              {hook.transformed === true ? <span class="badge">rewrote it</span> : null}
              <span>{durationText(hook.execution_time)}</span>
            </div>
            {checks.length > 0 ? (
              <table class="pairs" aria-label={`Checks of ${text(hook.id)}`}>
                <tbody>
                  {checks.map((check, checkIndex) => (
                    <tr key={checkIndex}>
                      <th scope="row">
                        <UserText value={check.id} />
                      </th>
                      <td class={check.verdict === true ? 'good' : 'bad'}>
                        {check.verdict === true ? 'passed' : 'failed'}
                      </td>
                      <td>{durationText(check.execution_time)}</td>
                      <td>
                        <bdi>{checkFindings(check)}</bdi>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}

/** What a request's cost is made of (`cost_parts`: a Realtime session's responses and transcriptions). */
export function CostParts(props: { record: LogRecord }) {
  const parts = costPartsOf(props.record);
  if (parts.length === 0) return null;
  return (
    <>
      <h2>Cost parts</h2>
      <table class="pairs cost-parts" aria-label="Cost parts">
        <thead>
          <tr>
            <th scope="col">Part</th>
            <th scope="col">Model</th>
            <th scope="col">What was priced</th>
            <th scope="col">Cost</th>
          </tr>
        </thead>
        <tbody>
          {parts.map((part, index) => (
            <tr key={index}>
              <th scope="row">{part.part}</th>
              <td>
                <bdi>{part.model}</bdi>
              </td>
              <td>{part.amount}</td>
              <td>
                <bdi>{part.cost}</bdi>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** One request: its summary, the attempt timeline, metadata, bodies, feedback and guardrail results. */
export function RequestView(props: { id: string }) {
  // The request the address names, never the last one's record or failure (a jump through history reuses the view).
  const answer = useAnswer(props.id, () => api<LogRecord>(`/logs/${encodeURIComponent(props.id)}`));
  if (answer?.state === 'failed') {
    // A link to a request no longer kept (or mistyped): what was asked for, why not, and a way back.
    return (
      <section aria-labelledby="request-title">
        <h1 id="request-title">
          Request <UserText value={props.id} />
        </h1>
        <ErrorNote error={answer.error} />
        <p>
          <Link to={logsListPath()}>Back to logs</Link>
        </p>
      </section>
    );
  }
  if (answer?.state !== 'done') return <p aria-live="polite">Loading…</p>;
  const record = answer.value;
  const trace = pick(record, 'trace_id');
  const errorCode = pick(record, 'error_code');
  const started = new Date(String(timeOf(record))).getTime();
  const summary: [string, unknown][] = [
    ['Time', timeText(timeOf(record))],
    ['Status', pick(record, 'status')],
    ['Error code', pick(record, 'error_code')],
    ['Error message', pick(record, 'error_message')],
    ['Endpoint', pick(record, 'endpoint')],
    // The path a pass-through request called (its query string is not kept); the others have none.
    ...(pick(record, 'path') === null ? [] : ([['Path', pick(record, 'path')]] as [string, unknown][])),
    ['Provider', pick(record, 'provider')],
    ['Model', pick(record, 'model', 'requested_model')],
    ['Answered model', pick(record, 'answered_model')],
    ['Tokens', tokenUsageText(record)],
    ['Cost', recordCostText(record)],
    // Where the cost came from and what was priced, or why nothing was, in words.
    ['Cost source', costSourceText(record)],
    ['Cost status', costStatusText(record)],
    ['Latency', durationText(pick(record, 'latency_ms'))],
    ['First byte', durationText(pick(record, 'first_byte_ms', 'ttfb_ms'))],
    ['Gateway overhead', durationText(pick(record, 'overhead_ms'))],
    ['Cache', cacheStatusText(pick(record, 'cache_status'))],
    ['Retries', retryText(record)],
    ['Virtual key', pick(record, 'virtual_key')],
    ['Config', pick(record, 'config_id', 'config')],
    ['Config version', pick(record, 'config_version')],
    ['Prompt', pick(record, 'prompt')],
    ['Stream', typeof pick(record, 'stream') === 'boolean' ? (pick(record, 'stream') ? 'Yes' : 'No') : null],
  ];
  return (
    <section aria-labelledby="request-title">
      <h1 id="request-title">Request {record.id}</h1>
      <p>
        {/* To the list as it was filtered when the request was opened from it. */}
        <Link to={logsListPath()}>Back to logs</Link>
        {typeof trace === 'string' ? (
          <>
            {' · '}
            <Link to={`/traces/${encodeURIComponent(trace)}`}>
              Trace <UserText value={trace} />
            </Link>
          </>
        ) : null}
        {typeof errorCode === 'string' ? (
          <>
            {' · '}
            <Link to={`/logs?error_code=${encodeURIComponent(errorCode)}`}>
              Requests with error code <UserText value={errorCode} />
            </Link>
          </>
        ) : null}
      </p>
      <dl class="summary">
        {summary.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>
              <UserText value={value} />
            </dd>
          </div>
        ))}
      </dl>
      <CostParts record={record} />
      <h2>Attempts</h2>
      <AttemptTimeline
        attempts={attemptsOf(record)}
        requestStart={Number.isNaN(started) ? null : started}
        cacheStatus={pick(record, 'cache_status')}
      />
      <h2>Metadata</h2>
      <Pairs value={pick(record, 'metadata')} label="Metadata" />
      <h2>Feedback</h2>
      <Feedback value={pick(record, 'feedback')} />
      {pick(record, 'guardrails', 'guardrail_results') !== null ? (
        <>
          <h2>Guardrails</h2>
          <GuardrailResults value={pick(record, 'guardrails', 'guardrail_results')} />
        </>
      ) : null}
      <Body
        title="Request body"
        value={pick(record, 'request_body')}
        truncated={pick(record, 'body_truncated', 'request_body_truncated')}
      />
      <Body
        title="Response body"
        value={pick(record, 'response_body')}
        truncated={pick(record, 'body_truncated', 'response_body_truncated')}
      />
    </section>
  );
}
