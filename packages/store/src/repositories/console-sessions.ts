import { createHash, randomBytes } from 'node:crypto';
import { read, type StoreContext } from './store-context.js';

/** How long a console session lasts: 12 hours from sign-in. */
export const CONSOLE_SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** A live console session (never its token: the store keeps only the token's SHA-256). */
export interface ConsoleSession {
  /** The gateway key it was exchanged for; the session ends when the key is revoked. */
  readonly keyId: string;
  /** What the console's writes carry in `x-pk-csrf`. */
  readonly csrfToken: string;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** A new session and the token of its cookie (given to the browser this once). */
export interface CreatedConsoleSession {
  readonly token: string;
  readonly session: ConsoleSession;
}

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * Console sign-in sessions, in the store so every replica honours them. These writes do not bump the
 * change counter: nothing the request path serves changes. Expired rows are deleted on sign-in.
 */
export class ConsoleSessionRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  /** Starts a session for the gateway key `keyId` (its token: 32 random bytes, base64url). */
  async create(keyId: string, ttlMs = CONSOLE_SESSION_TTL_MS): Promise<CreatedConsoleSession> {
    const now = this.#context.now();
    const token = randomBytes(32).toString('base64url');
    const session: ConsoleSession = {
      keyId,
      csrfToken: randomBytes(24).toString('base64url'),
      createdAt: now,
      expiresAt: now + ttlMs,
    };
    await read(async () => {
      await this.#context.db.deleteFrom('console_sessions').where('expires_at', '<=', now).execute();
      await this.#context.db
        .insertInto('console_sessions')
        .values({
          token_hash: hashToken(token),
          key_id: keyId,
          csrf_token: session.csrfToken,
          created_at: session.createdAt,
          expires_at: session.expiresAt,
        })
        .execute();
    });
    return { token, session };
  }

  /** The unexpired session whose cookie token is `token`, or undefined. */
  async find(token: string): Promise<ConsoleSession | undefined> {
    const row = await read(() =>
      this.#context.db
        .selectFrom('console_sessions')
        .selectAll()
        .where('token_hash', '=', hashToken(token))
        .executeTakeFirst(),
    );
    if (!row || Number(row.expires_at) <= this.#context.now()) return undefined;
    return {
      keyId: row.key_id,
      csrfToken: row.csrf_token,
      createdAt: Number(row.created_at),
      expiresAt: Number(row.expires_at),
    };
  }

  /** Ends the session of `token` (sign-out); true when there was one. */
  async delete(token: string): Promise<boolean> {
    const result = await read(() =>
      this.#context.db.deleteFrom('console_sessions').where('token_hash', '=', hashToken(token)).execute(),
    );
    return (result[0]?.numDeletedRows ?? 0n) > 0n;
  }

  /** Ends every session of the gateway key `keyId` (it was revoked or deleted). */
  async deleteForKey(keyId: string): Promise<void> {
    await read(() => this.#context.db.deleteFrom('console_sessions').where('key_id', '=', keyId).execute());
  }
}
