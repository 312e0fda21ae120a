import type { AdminClient } from './admin-client.js';
import type { Output } from './output.js';

/** What every command gets from the process (passed in, so commands read no global state). */
export interface CommandContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads all of stdin (a secret piped in with `-`); `secret`: at a terminal, one line typed unseen. */
  readonly readStdin: (purpose?: 'secret') => Promise<string>;
  /**
   * Calls `handler` on Ctrl-C (SIGINT) instead of ending the process, until the returned function is
   * called; a second Ctrl-C ends the process at once.
   */
  readonly onInterrupt: (handler: () => void) => () => void;
  /** Output, with `--json` as given on the command line. */
  output(): Output;
  /** The admin API of `PK_URL` with `PK_ADMIN_KEY`. */
  admin(): AdminClient;
}
