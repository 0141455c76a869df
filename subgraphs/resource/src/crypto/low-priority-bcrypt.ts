import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import bcrypt from 'bcrypt';

/** Where bcrypt's work runs. */
export interface BcryptEngine {
  hash(data: string, cost: number): Promise<string>;
  compare(data: string, hash: string): Promise<boolean>;
  close(): Promise<void>;
}

/** bcrypt's own async API: libuv's thread pool, at the process's priority. */
export const threadPoolBcrypt: BcryptEngine = {
  hash: (data, cost) => bcrypt.hash(data, cost),
  compare: (data, hash) => bcrypt.compare(data, hash),
  close: async () => undefined,
};

// Linux nice values are per thread: each worker renices itself (found via /proc/thread-self).
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
try {
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  require('node:os').setPriority(tid, workerData.nice);
} catch {}
const bcrypt = require(workerData.bcryptPath);
parentPort.on('message', ({ id, op, data, arg }) => {
  try {
    const result = op === 'hash' ? bcrypt.hashSync(data, arg) : bcrypt.compareSync(data, arg);
    parentPort.postMessage({ id, result });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message || err) });
  }
});
`;

interface Job {
  id: number;
  op: 'hash' | 'compare';
  data: string;
  arg: string | number;
  resolve: (value: never) => void;
  reject: (err: Error) => void;
}

/**
 * bcrypt on worker threads running at the lowest CPU priority (nice 19): during a sign-in storm
 * hashing takes whatever CPU is left, and the event loop — every other request — goes first.
 * Without it, hashes on libuv's pool competed as equals with the event loop and `me` p99 went
 * from 10 ms to seconds (bench/resource/signin.mjs).
 */
export class LowPriorityBcrypt implements BcryptEngine {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly busy = new Map<Worker, Job>();
  private nextId = 1;
  private closing = false;
  private readonly bcryptPath = createRequire(import.meta.url).resolve('bcrypt');

  constructor(
    threads: number,
    private readonly nice = 19,
  ) {
    for (let i = 0; i < threads; i++) this.spawn();
  }

  private spawn(): void {
    const worker = new Worker(WORKER, { eval: true, workerData: { bcryptPath: this.bcryptPath, nice: this.nice } });
    worker.unref();
    worker.on('message', (m: { id: number; result?: never; error?: string }) => this.done(worker, m));
    worker.on('error', (err) => this.failed(worker, err));
    this.all.push(worker);
    this.idle.push(worker);
    this.dispatch();
  }

  hash(data: string, cost: number): Promise<string> {
    return this.run<string>('hash', data, cost);
  }

  compare(data: string, hash: string): Promise<boolean> {
    return this.run<boolean>('compare', data, hash);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.all.map((w) => w.terminate()));
  }

  private run<T>(op: Job['op'], data: string, arg: string | number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, op, data, arg, resolve: resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.busy.set(worker, job);
      worker.postMessage({ id: job.id, op: job.op, data: job.data, arg: job.arg });
    }
  }

  private done(worker: Worker, m: { id: number; result?: never; error?: string }): void {
    const job = this.busy.get(worker);
    this.busy.delete(worker);
    this.idle.push(worker);
    if (job && job.id === m.id) {
      if (m.error !== undefined) job.reject(new Error(m.error));
      else job.resolve(m.result as never);
    }
    this.dispatch();
  }

  /** A worker that died is replaced; its job fails. */
  private failed(worker: Worker, err: Error): void {
    this.busy.get(worker)?.reject(err);
    this.busy.delete(worker);
    this.all.splice(this.all.indexOf(worker), 1);
    const idle = this.idle.indexOf(worker);
    if (idle >= 0) this.idle.splice(idle, 1);
    if (!this.closing) this.spawn();
  }
}
