import {
  type Actor,
  parseJson,
  read,
  recordAudit,
  type StoreContext,
  toStoreError,
} from './store-context.js';

/** One audited change. Secrets never appear: before and after are the masked read forms. */
export interface AuditEntry {
  readonly id: number;
  /** ISO 8601. */
  readonly at: string;
  /** `key:<gateway key id>`, `cli`, `system` … */
  readonly actor: string;
  /** `create`, `update`, `revoke`, `delete`, `rollback`, `publish`, `rotate`. */
  readonly action: string;
  /** `gateway_key`, `virtual_key`, `integration`, `config`, `guardrail`, `prompt`, `vault`. */
  readonly entity: string;
  readonly entityId: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** Options of `audit.list`. */
export interface ListAuditOptions {
  readonly entity?: string;
  readonly entityId?: string;
  readonly actor?: string;
  /** Entries with an id below this one (the `id` of the last entry of the previous page). */
  readonly before?: number;
  /** At most this many (default 100, at most 1000). */
  readonly limit?: number;
}

/** An admin action on a record that changes no stored field (e.g. `reset_usage`), for the audit log. */
export interface AuditAction {
  readonly actor: Actor;
  readonly action: string;
  readonly entity: string;
  readonly entityId: string;
  /** What the action undid or replaced (e.g. the usage figures a reset cleared). */
  readonly before?: unknown;
}

/** The audit log: every change to keys, virtual keys, configs and the vault, newest first. */
export class AuditLogRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  /**
   * Records an action that changes no stored record, such as a usage reset (the limits store's
   * counters are not the database's). Changes to records are audited by their repositories, in
   * the change's own transaction.
   */
  async recordAction(action: AuditAction): Promise<void> {
    try {
      await recordAudit(this.#context.db, { ...action, at: this.#context.now() });
    } catch (error) {
      throw toStoreError(error);
    }
  }

  /** A page of entries, newest first. */
  async list(options: ListAuditOptions = {}): Promise<AuditEntry[]> {
    return read(async () => {
      let query = this.#context.db.selectFrom('audit_log').selectAll();
      if (options.entity !== undefined) query = query.where('entity', '=', options.entity);
      if (options.entityId !== undefined) query = query.where('entity_id', '=', options.entityId);
      if (options.actor !== undefined) query = query.where('actor', '=', options.actor);
      if (options.before !== undefined) query = query.where('id', '<', options.before);
      const limit = Math.min(Math.max(1, options.limit ?? 100), 1000);
      const rows = await query.orderBy('id', 'desc').limit(limit).execute();
      return rows.map((row) => ({
        id: Number(row.id),
        at: new Date(row.at).toISOString(),
        actor: row.actor,
        action: row.action,
        entity: row.entity,
        entityId: row.entity_id,
        before: parseJson<unknown>(row.before),
        after: parseJson<unknown>(row.after),
      }));
    });
  }
}
