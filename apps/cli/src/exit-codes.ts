/**
 * What `pk` exits with. Scripts can branch on them: 3 means fix the key, 4 the name, 5 the state,
 * 6 the input, 130 an interrupt. Documented in the README.
 */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** The gateway or the data store failed or cannot be reached (5xx, connection refused, database down). */
  failure: 1,
  /** The command line is wrong (unknown option, missing argument, a secret given on it). */
  usage: 2,
  /** No admin key, or the gateway refused it (401, 403). */
  unauthorized: 3,
  /** The key, virtual key, config or version does not exist (404). */
  notFound: 4,
  /** The change conflicts: the name is taken, the record is the settings file's, an admin key already exists (409). */
  conflict: 5,
  /** The gateway refused the input (400): the message names the path. */
  invalid: 6,
  /** Interrupted (Ctrl-C, SIGINT) after undoing what was under way (a running log export is cancelled). */
  interrupted: 130,
} as const;

/** One of {@link EXIT}'s codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure of a command: its message (for stderr, never a secret) and exit code. */
export class CliError extends Error {
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** The exit code of a gateway answer's HTTP status. */
export function exitCodeOfStatus(status: number): ExitCode {
  if (status === 400 || status === 413 || status === 415) return EXIT.invalid;
  if (status === 401 || status === 403) return EXIT.unauthorized;
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  return EXIT.failure;
}
