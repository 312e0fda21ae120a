import { PINO_LEVELS, pinoDefaultBindings } from './pino-line.js';

/** The fields every request line starts with, in this order (see `request-log.ts`). */
export interface RequestLineHead {
  readonly traceId: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly latencyMs: number;
  readonly tenant: string;
}

/**
 * Writes one request's log line: the head's fields, then the route's (`fields`: `RequestLogFields`,
 * whose names are never a head's nor integer-like), as one object `{ ...head, ...fields }` has them.
 */
export type RequestLineWriter = (head: RequestLineHead, fields: object) => void;

/** Characters a JSON string carries as they are: printable ASCII but `"` and `\`. */
const PLAIN_JSON_TEXT = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** `value` as a JSON string: quoted as it is when nothing in it needs an escape, else by `JSON.stringify`. */
function jsonString(value: string): string {
  return PLAIN_JSON_TEXT.test(value) ? `"${value}"` : JSON.stringify(value);
}

/** The head's members as JSON text (`"traceId":…,"tenant":…`), without a serialisation for common values. */
function headJson(head: RequestLineHead): string {
  // Numbers as JSON.stringify writes them (a finite number's text is the same; anything else is null).
  const number = (value: number) => (Number.isFinite(value) ? String(value) : 'null');
  return `"traceId":${jsonString(head.traceId)},"method":${jsonString(head.method)},"path":${jsonString(head.path)},"status":${number(head.status)},"latencyMs":${number(head.latencyMs)},"tenant":${jsonString(head.tenant)}`;
}

const INFO = 30;

/**
 * The request line as pino writes `log.info({ ...head, ...fields }, 'request')` with the options pk's
 * server uses (`{ level, stream }`: pino's default time, pid and hostname), byte for byte, but
 * serialised with one `JSON.stringify` of the route's fields instead of pino's walk over them (one
 * stringify per field), the head's six written by hand, and no merged copy of the two: the line was
 * ~5 % of a request's CPU at saturation, a third of that now.
 *
 * Undefined for any other logger options (a test's own pino settings): those lines go through
 * pino. A level above `info` writes no request line, as pino would not.
 */
export function requestLineWriter(logger: unknown): RequestLineWriter | undefined {
  if (typeof logger !== 'object' || logger === null) return undefined;
  const {
    level = 'info',
    stream,
    ...others
  } = logger as {
    readonly level?: unknown;
    readonly stream?: { write?: unknown };
  };
  if (Object.keys(others).length > 0 || typeof level !== 'string') return undefined;
  if (typeof stream !== 'object' || stream === null || typeof stream.write !== 'function') return undefined;
  const threshold = PINO_LEVELS[level];
  if (threshold === undefined) return undefined;
  if (threshold > INFO) return () => undefined;
  const destination = stream as { write(line: string): unknown };
  const bindings = pinoDefaultBindings();
  return (head, fields) => {
    // The route's fields in one serialisation, after the head written by hand: no merged copy.
    const json = JSON.stringify(fields);
    const inner = json.length > 2 ? `,${json.slice(1, -1)}` : '';
    destination.write(
      `{"level":30,"time":${Date.now()}${bindings},${headJson(head)}${inner},"msg":"request"}\n`,
    );
  };
}
