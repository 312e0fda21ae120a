import type { Catalog, CatalogSnapshot, SavedConfig } from './catalog.js';
import { type LoadedSnapshot, loadSnapshot, type SnapshotSource } from './load-snapshot.js';

/** Longest delay `setTimeout` accepts. */
const MAX_TIMER_MS = 2_147_483_647;

/** How the live catalog reports what it cannot do (never with a secret). */
export interface CatalogReporter {
  /** A record left out of a snapshot. */
  readonly problem: (message: string) => void;
  /** The database could not be read; the last snapshot keeps being served. */
  readonly unavailable: (error: unknown) => void;
  /** The database answers again after being unavailable. */
  readonly recovered: () => void;
}

/**
 * The catalog the gateway serves from: an immutable snapshot, replaced whole when the store's change
 * counter moves. The counter is polled every `pollIntervalMs` (one tiny query: any replica's or the
 * CLI's change is seen within that interval plus one load); this process's own writes reload at
 * once. While the database is unreachable the last snapshot keeps being served and polling goes on,
 * so the catalog recovers by itself.
 */
export class LiveCatalog implements Catalog {
  readonly #source: SnapshotSource;
  readonly #reporter: CatalogReporter;
  readonly #parsedConfigs = new Map<string, SavedConfig>();
  readonly #listeners = new Set<(snapshot: CatalogSnapshot) => void>();
  #snapshot: CatalogSnapshot;
  #requested = 0;
  #completed = 0;
  #running: Promise<void> | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  #expiryTimer: NodeJS.Timeout | undefined;
  #stopped = false;
  #unavailableSince: number | undefined;

  private constructor(source: SnapshotSource, reporter: CatalogReporter, first: LoadedSnapshot) {
    this.#source = source;
    this.#reporter = reporter;
    this.#snapshot = first.snapshot;
    this.#scheduleExpiry(first.nextExpiry);
  }

  /**
   * Loads the first snapshot. Returns it with the catalog so the caller can refuse to start when a
   * record cannot be served (a virtual key that does not decrypt).
   */
  static async open(
    source: SnapshotSource,
    reporter: CatalogReporter,
  ): Promise<{ catalog: LiveCatalog; problems: readonly string[] }> {
    const parsedConfigs = new Map<string, SavedConfig>();
    const first = await loadSnapshot(source, parsedConfigs);
    const catalog = new LiveCatalog(source, reporter, first);
    for (const [id, saved] of parsedConfigs) catalog.#parsedConfigs.set(id, saved);
    return { catalog, problems: first.problems };
  }

  get snapshot(): CatalogSnapshot {
    return this.#snapshot;
  }

  /** True while the last poll or load failed. */
  get unavailable(): boolean {
    return this.#unavailableSince !== undefined;
  }

  onChange(listener: (snapshot: CatalogSnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts polling the change counter. */
  startPolling(intervalMs: number): void {
    const tick = async (): Promise<void> => {
      if (this.#stopped) return;
      try {
        const state = await this.#source.db
          .selectFrom('pk_state')
          .select('version')
          .where('id', '=', 1)
          .executeTakeFirstOrThrow();
        if (state.version !== this.#snapshot.version) await this.refresh();
        else this.#markAvailable();
      } catch (error) {
        this.#markUnavailable(error);
      }
      if (!this.#stopped) {
        this.#pollTimer = setTimeout(() => void tick(), intervalMs);
        this.#pollTimer.unref();
      }
    };
    this.#pollTimer = setTimeout(() => void tick(), intervalMs);
    this.#pollTimer.unref();
  }

  /**
   * Reloads the snapshot from the database, and resolves once a load that started after this call
   * has finished (so a write followed by `refresh()` is served next). Rejects when it fails.
   */
  async refresh(): Promise<void> {
    this.#requested += 1;
    const ticket = this.#requested;
    while (this.#completed < ticket) {
      if (this.#running) {
        await this.#running.catch(() => undefined);
        continue;
      }
      const target = this.#requested;
      this.#running = this.#load()
        .then(() => {
          this.#completed = Math.max(this.#completed, target);
        })
        .finally(() => {
          this.#running = undefined;
        });
      await this.#running;
    }
  }

  async #load(): Promise<void> {
    let loaded: LoadedSnapshot;
    try {
      loaded = await loadSnapshot(this.#source, this.#parsedConfigs);
    } catch (error) {
      this.#markUnavailable(error);
      throw error;
    }
    this.#markAvailable();
    for (const problem of loaded.problems) this.#reporter.problem(problem);
    this.#snapshot = loaded.snapshot;
    this.#scheduleExpiry(loaded.nextExpiry);
    for (const listener of this.#listeners) {
      try {
        listener(loaded.snapshot);
      } catch {
        // A listener's failure must not stop the others or the catalog.
      }
    }
  }

  #markUnavailable(error: unknown): void {
    this.#unavailableSince ??= this.#source.now();
    this.#reporter.unavailable(error);
  }

  #markAvailable(): void {
    if (this.#unavailableSince === undefined) return;
    this.#unavailableSince = undefined;
    this.#reporter.recovered();
  }

  /** Rebuilds the snapshot when the next key expires, so an expired key leaves it on time. */
  #scheduleExpiry(nextExpiry: number | undefined): void {
    if (this.#expiryTimer) clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
    if (nextExpiry === undefined || this.#stopped) return;
    const delay = Math.min(Math.max(0, nextExpiry - this.#source.now()) + 1, MAX_TIMER_MS);
    this.#expiryTimer = setTimeout(() => void this.refresh().catch(() => undefined), delay);
    this.#expiryTimer.unref();
  }

  /** Stops polling and expiry timers (the snapshot stays readable). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#pollTimer) clearTimeout(this.#pollTimer);
    if (this.#expiryTimer) clearTimeout(this.#expiryTimer);
    await this.#running?.catch(() => undefined);
  }
}
