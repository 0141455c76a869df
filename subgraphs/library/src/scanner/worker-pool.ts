import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '@ytm/logger';
import type { ParseOutcome, ParseTask } from './parse.protocol.js';

export interface WorkerPoolOptions {
  size?: number;
  /** A file taking longer than this kills its worker and counts as an error. */
  taskTimeoutMs?: number;
  /** Heap cap per worker: a file that makes the parser balloon kills only that worker. */
  maxHeapMb?: number;
  logger: Logger;
}

interface Slot {
  worker: Worker;
  task?: { path: string; resolve: (o: ParseOutcome) => void; timer: NodeJS.Timeout };
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
 * Parses files on worker threads, one file per worker at a time. A worker that crashes, runs
 * out of heap or hangs is replaced, and its file is answered with an error outcome: a bad
 * file never fails the scan.
 */
export class ParserPool {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: { path: string; resolve: (o: ParseOutcome) => void }[] = [];
  private closed = false;
  private readonly script = workerScript();
  replaced = 0;

  constructor(private readonly options: WorkerPoolOptions) {
    this.size = Math.max(1, options.size || availableParallelism());
    for (let i = 0; i < this.size; i++) this.slots.push(this.spawn());
  }

  parse(path: string): Promise<ParseOutcome> {
    if (this.closed) return Promise.resolve({ ok: false, reason: 'parser pool closed' });
    return new Promise((resolve) => {
      this.queue.push({ path, resolve });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.resolve({ ok: false, reason: 'parser pool closed' });
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const { maxHeapMb = 256 } = this.options;
    const worker = new Worker(this.script, { resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } });
    const slot: Slot = { worker };
    worker.on('message', (outcome: ParseOutcome) => this.settle(slot, outcome));
    worker.on('error', (err) => this.fail(slot, `parser crashed: ${err.message}`));
    worker.on('exit', () => this.fail(slot, 'parser exited'));
    worker.unref();
    return slot;
  }

  private settle(slot: Slot, outcome: ParseOutcome): void {
    const task = slot.task;
    if (!task) return;
    clearTimeout(task.timer);
    slot.task = undefined;
    task.resolve(outcome);
    this.dispatch();
  }

  private fail(slot: Slot, reason: string): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    const task = slot.task;
    slot.task = undefined;
    if (task) {
      clearTimeout(task.timer);
      this.options.logger.warn({ path: task.path, reason }, 'parser worker lost; replacing it');
      task.resolve({ ok: false, reason });
    }
    void slot.worker.terminate();
    if (this.closed) return;
    this.replaced += 1;
    this.slots[index] = this.spawn();
    this.dispatch();
  }

  private dispatch(): void {
    const { taskTimeoutMs = 30_000 } = this.options;
    for (const slot of this.slots) {
      if (slot.task) continue;
      const next = this.queue.shift();
      if (!next) return;
      const timer = setTimeout(() => this.fail(slot, `parsing took longer than ${taskTimeoutMs} ms`), taskTimeoutMs);
      slot.task = { ...next, timer };
      slot.worker.postMessage({ path: next.path } satisfies ParseTask);
    }
  }
}
