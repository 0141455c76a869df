import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { setPriority } from 'node:os';
import type { Logger } from '@ytm/logger';

export interface TranscodeJobOptions {
  ffmpeg: string;
  args: string[];
  /** Where stdout is kept, so every listener (and one that joins late) reads it from the start. */
  spoolPath: string;
  /** The cached file ffmpeg writes beside stdout (removed unless the job ends well). */
  cachePath?: string;
  nice: number;
  stallMs: number;
  /** Seconds of audio the output should hold; a shorter one means a truncated input (0: unknown). */
  expectedSeconds: number;
  logger: Logger;
}

export type JobState = 'running' | 'done' | 'failed';

/** The input could not be transcoded (broken, truncated) or ffmpeg hung: never cached. */
export class TranscodeFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TranscodeFailedError';
  }
}

/** Missing this much audio (seconds, or this share of it) counts as a truncated input. */
const SHORT_BY_SECONDS = 1;
const SHORT_BY_SHARE = 0.02;
const STDERR_TAIL = 2_048;

/**
 * One ffmpeg process and its listeners. Output is appended to a spool file as it comes, so
 * ffmpeg runs at its own speed whatever the listeners' pace, and a listener joining late starts
 * from byte 0. The process ends on its own, or is killed (SIGKILL) when its last listener leaves
 * or it writes nothing for `stallMs`.
 */
export class TranscodeJob {
  state: JobState = 'running';
  error: Error | undefined;
  /** Bytes in the spool file. */
  written = 0;
  /** Seconds of audio encoded so far (ffmpeg's progress). */
  outSeconds = 0;
  private listeners = 0;
  private child: ChildProcess | undefined;
  private spoolFd: number | undefined;
  private stall: NodeJS.Timeout | undefined;
  private wakers: Array<() => void> = [];
  private stderrTail = '';
  private readonly exited: Promise<void>;
  private markExited: () => void = () => undefined;

  constructor(private readonly o: TranscodeJobOptions) {
    this.exited = new Promise((resolve) => (this.markExited = resolve));
  }

  get spoolPath(): string {
    return this.o.spoolPath;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Resolves once the process is gone (ended, failed or killed). */
  get ended(): Promise<void> {
    return this.exited;
  }

  start(): void {
    this.spoolFd = openSync(this.o.spoolPath, 'w');
    const child = spawn(this.o.ffmpeg, this.o.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    if (child.pid !== undefined && this.o.nice > 0) {
      try {
        setPriority(child.pid, this.o.nice);
      } catch {
        // Exited already, or not permitted: it runs at normal priority.
      }
    }
    this.armStall();
    child.stdout?.on('data', (chunk: Buffer) => this.append(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.progress(chunk.toString('latin1')));
    child.once('error', (err) => this.finish(new TranscodeFailedError(`ffmpeg could not start: ${err.message}`)));
    child.once('close', (code, signal) => {
      if (this.state !== 'running') return;
      if (code !== 0) return this.finish(new TranscodeFailedError(`ffmpeg exited with ${signal ?? code}: ${this.lastError()}`));
      const expected = this.o.expectedSeconds;
      if (expected > 0 && this.outSeconds < expected - Math.max(SHORT_BY_SECONDS, expected * SHORT_BY_SHARE)) {
        return this.finish(new TranscodeFailedError(`truncated input: ${this.outSeconds.toFixed(1)} s of ${expected.toFixed(1)} s`));
      }
      this.finish();
    });
  }

  /** Counts a listener; the returned function uncounts it, and the last one out kills a running job. */
  attach(): () => void {
    this.listeners++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.listeners--;
      if (this.listeners === 0 && this.state === 'running') this.finish(new TranscodeFailedError('every listener left'));
    };
  }

  get listenerCount(): number {
    return this.listeners;
  }

  /** Kills the process (shutdown); listeners see a failure. */
  abort(reason: string): void {
    this.finish(new TranscodeFailedError(reason));
  }

  /** Resolves at the next output, the end, or a failure. */
  changed(): Promise<void> {
    if (this.state !== 'running') return Promise.resolve();
    return new Promise((resolve) => this.wakers.push(resolve));
  }

  private append(chunk: Buffer): void {
    if (this.state !== 'running' || this.spoolFd === undefined) return;
    try {
      writeSync(this.spoolFd, chunk, 0, chunk.length, this.written);
    } catch (err) {
      return this.finish(new TranscodeFailedError(`spool write failed: ${(err as Error).message}`));
    }
    this.written += chunk.length;
    this.armStall();
    this.wake();
  }

  private progress(text: string): void {
    for (const m of text.matchAll(/out_time_us=(\d+)/g)) this.outSeconds = Math.max(this.outSeconds, Number(m[1]) / 1e6);
    const errors = text
      .split('\n')
      .filter((l) => l !== '' && !/^[a-z_]+=/.test(l))
      .join('\n');
    if (errors) this.stderrTail = (this.stderrTail + errors + '\n').slice(-STDERR_TAIL);
  }

  private lastError(): string {
    return this.stderrTail.trim().split('\n').slice(-3).join(' | ') || 'no message';
  }

  private armStall(): void {
    clearTimeout(this.stall);
    this.stall = setTimeout(() => this.finish(new TranscodeFailedError(`ffmpeg wrote nothing for ${this.o.stallMs} ms`)), this.o.stallMs);
    this.stall.unref();
  }

  /** Ends the job once: kills a live process, closes the spool, wakes every listener. */
  private finish(err?: Error): void {
    if (this.state !== 'running') return;
    this.state = err ? 'failed' : 'done';
    this.error = err;
    clearTimeout(this.stall);
    const child = this.child;
    // A process that never spawned (ENOENT) has no pid and may never emit 'close'.
    if (child && child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      child.once('close', () => this.markExited());
      child.kill('SIGKILL');
    } else this.markExited();
    if (this.spoolFd !== undefined) closeSync(this.spoolFd);
    this.spoolFd = undefined;
    // Listeners opened their own descriptors: the name can go now.
    rmSync(this.o.spoolPath, { force: true });
    if (err && this.o.cachePath) rmSync(this.o.cachePath, { force: true });
    if (err && err.message !== 'every listener left') this.o.logger.warn({ err: err.message }, 'transcode failed');
    this.wake();
  }

  private wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const w of wakers) w();
  }
}
