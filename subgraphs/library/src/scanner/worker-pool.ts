import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '@ytm/logger';
import type { ParseBatch, ParseOutcome, ParseReply, ParseTask } from './parse.protocol.js';

export interface WorkerPoolOptions {
  size?: number;
  /** Files in flight per worker: parsing waits on many small reads, so a few overlap well. */
  inFlightPerWorker?: number;
  /** A file taking longer than this kills its worker and counts as an error. */
  taskTimeoutMs?: number;
  /** Heap cap per worker: a file that makes the parser balloon kills only that worker. */
  maxHeapMb?: number;
  /** Workers are started on demand and stopped after this long without work (their heaps are freed). */
  idleMs?: number;
  /** Called once the idle workers have stopped: the end of a burst of work (e.g. compact the heap). */
  onIdleStop?: () => void;
  /** The worker script (tests pass misbehaving ones). */
  script?: URL;
  logger: Logger;
}

interface Task {
  id: number;
  path: string;
  resolve: (o: ParseOutcome) => void;
  /** Times this file was in flight when its worker died. */
  crashes: number;
  timer?: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  tasks: Map<number, Task>;
}

/** The compiled worker; from sources (tests run TypeScript through jest) use the built copy in dist/. */
export function workerScript(): URL {
  const sibling = new URL('./parse.worker.js', import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  const built = new URL(sibling.href.replace('/src/scanner/', '/dist/scanner/'));
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error(`parser worker not found at ${fileURLToPath(built)}: build the library first (npx tsc -b subgraphs/library)`);
}

/**
 * Parses files on worker threads. A worker that crashes, runs out of heap or hangs is replaced.
 * A file that timed out, or that was in flight in two crashes, is answered with an error
 * outcome; the other files of a crashed worker are retried. A bad file never fails the scan.
 */
export class ParserPool {
  readonly size: number;
  private slots: Slot[] = [];
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly queue: Task[] = [];
  private nextId = 0;
  private closed = false;
  private readonly script: URL;
  replaced = 0;

  constructor(private readonly options: WorkerPoolOptions) {
    this.size = Math.max(1, options.size || availableParallelism());
    this.script = options.script ?? workerScript();
  }

  /** Workers currently running (0 while idle). */
  get running(): number {
    return this.slots.length;
  }

  /** How many files callers should keep in flight to keep every worker busy. */
  get capacity(): number {
    return this.size * (this.options.inFlightPerWorker ?? 8);
  }

  parse(path: string): Promise<ParseOutcome> {
    if (this.closed) return Promise.resolve({ ok: false, reason: 'parser pool closed' });
    clearTimeout(this.idleTimer);
    if (this.slots.length === 0) for (let i = 0; i < this.size; i++) this.slots.push(this.spawn());
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, path, resolve, crashes: 0 });
      this.dispatch();
    });
  }

  private scheduleIdleStop(): void {
    if (this.queue.length > 0 || this.slots.some((s) => s.tasks.size > 0)) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      const slots = this.slots;
      this.slots = [];
      void Promise.all(slots.map((s) => s.worker.terminate())).then(() => {
        if (slots.length > 0 && this.slots.length === 0) this.options.onIdleStop?.();
      });
    }, this.options.idleMs ?? 30_000);
    this.idleTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    for (const q of this.queue.splice(0)) q.resolve({ ok: false, reason: 'parser pool closed' });
    for (const s of this.slots) for (const t of s.tasks.values()) t.resolve({ ok: false, reason: 'parser pool closed' });
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const { maxHeapMb = 256 } = this.options;
    const worker = new Worker(this.script, { resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } });
    const slot: Slot = { worker, tasks: new Map() };
    worker.on('message', (reply: ParseReply) => this.settle(slot, reply));
    worker.on('error', (err) => this.lose(slot, `parser crashed: ${err.message}`));
    worker.on('exit', () => this.lose(slot, 'parser exited'));
    worker.unref();
    return slot;
  }

  private settle(slot: Slot, reply: ParseReply): void {
    const task = slot.tasks.get(reply.id);
    if (!task) return;
    clearTimeout(task.timer);
    slot.tasks.delete(reply.id);
    task.resolve(reply.outcome);
    this.dispatch();
    this.scheduleIdleStop();
  }

  /** Replaces a dead or stuck worker; `culprit` (a timed-out task) fails, the rest are retried. */
  private lose(slot: Slot, reason: string, culprit?: Task): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    const { logger } = this.options;
    const tasks = [...slot.tasks.values()];
    slot.tasks.clear();
    for (const t of tasks) clearTimeout(t.timer);
    void slot.worker.terminate();
    if (this.closed) {
      for (const t of tasks) t.resolve({ ok: false, reason: 'parser pool closed' });
      return;
    }
    this.replaced += 1;
    this.slots[index] = this.spawn();
    for (const t of tasks) {
      t.crashes += 1;
      // The worker died with several files in flight; only one is likely guilty, so each gets a second chance, alone.
      if (t === culprit || t.crashes >= 2) {
        logger.warn({ path: t.path, reason }, 'parser worker lost on this file; replaced it');
        t.resolve({ ok: false, reason });
      } else this.queue.unshift(t);
    }
    this.dispatch();
  }

  private dispatch(): void {
    const { taskTimeoutMs = 30_000, inFlightPerWorker = 8 } = this.options;
    for (const slot of this.slots) {
      // Refill at half: fewer, larger messages. A file that was in flight when a worker died
      // is parsed alone, so a second crash names the guilty file.
      if (slot.tasks.size > inFlightPerWorker / 2 || [...slot.tasks.values()].some((t) => t.crashes > 0)) continue;
      const batch: ParseTask[] = [];
      while (slot.tasks.size < inFlightPerWorker && this.queue.length > 0) {
        const suspect = this.queue[0]!.crashes > 0;
        if (suspect && slot.tasks.size > 0) break;
        const task = this.queue.shift()!;
        task.timer = setTimeout(() => this.lose(slot, `parsing took longer than ${taskTimeoutMs} ms`, task), taskTimeoutMs);
        slot.tasks.set(task.id, task);
        batch.push({ id: task.id, path: task.path });
        if (suspect) break;
      }
      if (batch.length > 0) slot.worker.postMessage(batch satisfies ParseBatch);
      if (this.queue.length === 0) return;
    }
  }
}
