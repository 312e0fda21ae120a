import { Worker } from 'node:worker_threads';

/** What a thread answers a request with: the request's `id`, and whether it did what was asked. */
export interface WorkerReply {
  readonly id: number;
  readonly ok: boolean;
  readonly error?: string;
}

/** Options of {@link OnDemandWorker}. */
export interface OnDemandWorkerOptions<Reply extends WorkerReply> {
  /** The thread's script (CommonJS, eval'd: it runs the same from sources and from dist). */
  readonly source: string;
  readonly workerData: unknown;
  /** What the thread is called in errors ("the log read thread"). */
  readonly name: string;
  /** The thread is stopped after this many ms with nothing waiting on it, and started by the next message. */
  readonly idleStopMs: number;
  /** Whether an idle thread may stop now (default: yes); asked when the idle timer is armed and when it fires. */
  readonly canStop?: () => boolean;
  /** Sees every reply before its waiter does. */
  readonly onReply?: (reply: Reply) => void;
  /** The thread is gone (stopped, or died unasked) with whatever it held; runs before its waiters are refused. */
  readonly onGone?: () => void;
  /** Sent (and its reply awaited) before a stopping thread is terminated, to let it close what it opened. */
  readonly closeMessage?: Record<string, unknown>;
}

/**
 * A worker thread that starts with the first message and stops when idle (its idle timer is armed
 * after each reply, and by the owner when its own state allows a stop), answering requests by id.
 * A thread that fails or ends unasked refuses what waits on it (`ok: false`), and the next message
 * starts another. The SQLite log sink's writer and the log reads' thread are each one of these.
 */
export class OnDemandWorker<Reply extends WorkerReply> {
  readonly #options: OnDemandWorkerOptions<Reply>;
  #worker: Worker | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  readonly #pending = new Map<number, (reply: Reply) => void>();
  #nextId = 0;

  constructor(options: OnDemandWorkerOptions<Reply>) {
    this.#options = options;
  }

  /** Whether the thread is running. */
  get running(): boolean {
    return this.#worker !== undefined;
  }

  /** Requests waiting for their reply. */
  get waiting(): number {
    return this.#pending.size;
  }

  /** Sends a message that gets no reply (starting the thread if need be); throws when it cannot start. */
  post(message: Record<string, unknown>, transfer?: readonly ArrayBuffer[]): void {
    this.#running().postMessage(message, transfer as ArrayBuffer[] | undefined);
  }

  /** Sends a message and resolves the thread's reply to it (starting the thread if need be). */
  request(message: Record<string, unknown>): Promise<Reply> {
    return this.#request(this.#running(), message);
  }

  /** Arms the idle stop: when nothing waits on the thread and `canStop` agrees, for `idleStopMs`. */
  armIdleStop(): void {
    if (this.#pending.size > 0 || this.#worker === undefined || !this.#canStop()) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.#pending.size === 0 && this.#canStop()) void this.stop();
    }, this.#options.idleStopMs);
    this.#idleTimer.unref();
  }

  /** Stops the thread (after its `closeMessage`, if any); what still waits on it is refused. */
  async stop(): Promise<void> {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    const worker = this.#worker;
    if (worker === undefined) return;
    // Taken out first: a message sent from now on starts a new thread, never reaches a closing one.
    this.#worker = undefined;
    this.#options.onGone?.();
    if (this.#options.closeMessage !== undefined) await this.#request(worker, this.#options.closeMessage);
    this.#refuseWaiting(`${this.#options.name} was stopped`);
    await worker.terminate().catch(() => undefined);
  }

  /** Ends the thread as a crash would (tests). */
  async terminate(): Promise<void> {
    await this.#worker?.terminate();
  }

  #canStop(): boolean {
    return this.#options.canStop?.() ?? true;
  }

  #running(): Worker {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    this.#worker ??= this.#start();
    return this.#worker;
  }

  #request(worker: Worker, message: Record<string, unknown>): Promise<Reply> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      worker.postMessage({ ...message, id });
    });
  }

  #refuseWaiting(reason: string): void {
    const waiting = [...this.#pending.values()];
    this.#pending.clear();
    for (const resolve of waiting) resolve({ id: -1, ok: false, error: reason } as Reply);
  }

  #start(): Worker {
    const worker = new Worker(this.#options.source, { eval: true, workerData: this.#options.workerData });
    worker.unref();
    worker.on('message', (reply: Reply) => {
      this.#options.onReply?.(reply);
      const resolve = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      resolve?.(reply);
      this.armIdleStop();
    });
    // A thread that fails or ends unasked (not by `stop`, which takes it out first).
    const died = (reason: string): void => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#options.onGone?.();
      this.#refuseWaiting(reason);
    };
    worker.on('error', (error) => died(error.message));
    worker.on('exit', (code) => died(`${this.#options.name} ended (exit code ${code})`));
    return worker;
  }
}
