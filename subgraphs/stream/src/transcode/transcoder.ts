import { closeSync, openSync } from 'node:fs';
import type { Logger } from '@ytm/logger';
import type { TranscodeSpec } from '../domain/stream-format.js';
import type { TrackFile } from '../domain/ticket.js';
import { ffmpegArgs } from './ffmpeg-args.js';
import type { SlotLimiter } from './slot-limiter.js';
import type { CachedTranscode, TranscodeCache } from './transcode-cache.js';
import { TranscodeJob } from './transcode-job.js';

export interface TranscoderOptions {
  ffmpeg: string;
  limiter: SlotLimiter;
  cache: TranscodeCache;
  nice: number;
  stallMs: number;
  logger: Logger;
}

/** A transcode being made, as one listener holds it: its own read descriptor on the spool. */
export interface LiveListener {
  job: TranscodeJob;
  fd: number;
  /** Call once done: closes the descriptor and uncounts the listener. */
  leave(): void;
}

export type TranscodeSource = { kind: 'cached'; file: CachedTranscode } | { kind: 'live'; listener: LiveListener };

/** The request asking for a transcode: its ticket, and how to end it (a newer seek of the ticket replaced it). */
export interface TranscodeRequester {
  ticketId: string;
  cut(reason: Error): void;
}

/** A newer `?t=` request of the same ticket took this one's place: a seek replaces the previous position. */
export class SeekReplacedError extends Error {
  constructor() {
    super('replaced by a newer seek of the same ticket');
    this.name = 'SeekReplacedError';
  }
}

interface Seek {
  requester: TranscodeRequester;
  /** Resolves once the seek's process is gone (or it never started one). */
  gone: Promise<void>;
}

/**
 * Hands out transcodes: the cached file when it is finished; else the running job for the same
 * source, format and bitrate (one process, many listeners); else a new ffmpeg process once the
 * limiter grants a slot. A job that ends well is moved into the cache under the source's content
 * hash. An offset (`?t=`) always gets a process of its own and is never cached, and a ticket has
 * one at a time: a newer seek cuts the previous one's request and starts once its process is gone.
 */
export class Transcoder {
  private readonly running = new Map<string, TranscodeJob>();
  private readonly all = new Set<TranscodeJob>();
  /** The newest offset request of each ticket. */
  private readonly seeks = new Map<string, Seek>();

  constructor(private readonly o: TranscoderOptions) {}

  /** The finished transcode, when cached (no process, no slot). */
  cached(file: TrackFile, spec: TranscodeSpec): CachedTranscode | undefined {
    return this.o.cache.lookup(file, spec);
  }

  /** Rejects with TranscodeBusyError when no slot came free in time, or the signal's reason. */
  open(file: TrackFile, spec: TranscodeSpec, offsetSeconds: number, signal: AbortSignal, requester: TranscodeRequester): Promise<TranscodeSource> {
    return offsetSeconds > 0 ? this.openSeek(file, spec, offsetSeconds, signal, requester) : this.openJob(file, spec, 0, signal);
  }

  /**
   * At most one offset process per ticket: otherwise one ticket asking `?t=1`, `?t=2`, … at once
   * would take every slot. The previous seek's request is cut (its process ends with its only
   * listener) and this one starts once that process is gone.
   */
  private async openSeek(
    file: TrackFile,
    spec: TranscodeSpec,
    offsetSeconds: number,
    signal: AbortSignal,
    requester: TranscodeRequester,
  ): Promise<TranscodeSource> {
    const { ticketId } = requester;
    let markGone: () => void = () => undefined;
    const seek: Seek = { requester, gone: new Promise<void>((resolve) => (markGone = resolve)) };
    const previous = this.seeks.get(ticketId);
    this.seeks.set(ticketId, seek);
    let source: TranscodeSource | undefined;
    try {
      if (previous) {
        previous.requester.cut(new SeekReplacedError());
        await previous.gone;
      }
      source = await this.openJob(file, spec, offsetSeconds, signal);
      return source;
    } finally {
      const ended = source?.kind === 'live' ? source.listener.job.ended : Promise.resolve();
      void ended.then(() => {
        if (this.seeks.get(ticketId) === seek) this.seeks.delete(ticketId);
        markGone();
      });
    }
  }

  private async openJob(file: TrackFile, spec: TranscodeSpec, offsetSeconds: number, signal: AbortSignal): Promise<TranscodeSource> {
    const key = offsetSeconds > 0 ? undefined : jobKey(file, spec);
    const found = this.existing(file, spec, key);
    if (found) return found;
    const release = await this.o.limiter.acquire(signal);
    // Someone may have started (or finished) the same transcode while this request waited.
    const meanwhile = this.existing(file, spec, key);
    if (meanwhile) {
      release();
      return meanwhile;
    }
    let job: TranscodeJob;
    try {
      job = this.startJob(file, spec, offsetSeconds, key);
    } catch (err) {
      release();
      throw err;
    }
    void job.ended.then(release);
    return { kind: 'live', listener: this.listen(job) };
  }

  /** Kills every process (shutdown) and waits until they are gone. */
  async stop(): Promise<void> {
    const jobs = [...this.all];
    for (const job of jobs) job.abort('shutting down');
    await Promise.all(jobs.map((j) => j.ended));
  }

  /** ffmpeg processes alive now. */
  get processes(): number {
    return this.all.size;
  }

  /** Pids of the live ffmpeg processes (tests check that none is left behind). */
  get pids(): number[] {
    return [...this.all].map((j) => j.pid).filter((p): p is number => p !== undefined);
  }

  private existing(file: TrackFile, spec: TranscodeSpec, key: string | undefined): TranscodeSource | undefined {
    if (key === undefined) return undefined;
    const cached = this.o.cache.lookup(file, spec);
    if (cached) return { kind: 'cached', file: cached };
    const job = this.running.get(key);
    if (job && job.state === 'running') return { kind: 'live', listener: this.listen(job) };
    return undefined;
  }

  private startJob(file: TrackFile, spec: TranscodeSpec, offsetSeconds: number, key: string | undefined): TranscodeJob {
    const { cache } = this.o;
    const cachePath = key === undefined ? undefined : cache.tempPath(spec);
    // Hashing the source runs beside the encode: its result names the cache entry.
    const hash = key === undefined ? undefined : cache.contentHash(file);
    hash?.catch(() => undefined);
    const job = new TranscodeJob({
      ffmpeg: this.o.ffmpeg,
      args: ffmpegArgs({ input: file.path, spec, offsetSeconds, ...(cachePath ? { cachePath } : {}) }),
      spoolPath: `${cache.tempPath(spec)}.spool`,
      ...(cachePath ? { cachePath } : {}),
      nice: this.o.nice,
      stallMs: this.o.stallMs,
      expectedSeconds: file.durationSeconds > 0 ? Math.max(0, file.durationSeconds - offsetSeconds) : 0,
      logger: this.o.logger,
    });
    job.start();
    this.all.add(job);
    if (key !== undefined) this.running.set(key, job);
    void job.ended.then(async () => {
      this.all.delete(job);
      if (key !== undefined && this.running.get(key) === job) this.running.delete(key);
      if (job.state !== 'done' || !cachePath || !hash) return;
      try {
        cache.commit(cachePath, await hash, spec);
      } catch (err) {
        this.o.logger.warn({ err: (err as Error).message }, 'finished transcode not cached');
      }
    });
    return job;
  }

  private listen(job: TranscodeJob): LiveListener {
    const leaveJob = job.attach();
    let fd: number;
    try {
      fd = openSync(job.spoolPath, 'r');
    } catch (err) {
      leaveJob();
      throw err;
    }
    let left = false;
    return {
      job,
      fd,
      leave: () => {
        if (left) return;
        left = true;
        closeSync(fd);
        leaveJob();
      },
    };
  }
}

function jobKey(file: TrackFile, spec: TranscodeSpec): string {
  return `${file.path}\u0000${file.size}\u0000${Math.trunc(file.mtimeMs)}\u0000${spec.format}\u0000${spec.bitrate}`;
}
