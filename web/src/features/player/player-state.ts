import * as Q from './queue';
import type { PlayerProblem } from './tickets';

export interface PlayerSnapshot {
  queue: Q.QueueState;
  /** The listener wants sound (the bar shows pause). */
  playing: boolean;
  /** Waiting for a ticket or for data. */
  loading: boolean;
  position: number;
  duration: number;
  bufferedEnd: number;
  volume: number;
  muted: boolean;
  problem: PlayerProblem | null;
}

/**
 * What the bar and the pages read: one immutable snapshot, replaced on every change, with its
 * listeners; and what survives a reload (queue, position, volume) saved on every command and at
 * most every 5 s while playing.
 */
export class PlayerState {
  private snap: PlayerSnapshot;
  private readonly listeners = new Set<() => void>();
  private lastSave = 0;

  constructor(
    initial: PlayerSnapshot,
    private readonly save: ((state: string) => void) | undefined,
    private readonly now: () => number,
  ) {
    this.snap = initial;
  }

  get snapshot(): PlayerSnapshot {
    return this.snap;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  update(patch: Partial<PlayerSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    for (const l of this.listeners) l();
  }

  /** `force`: a command (saved at once); otherwise playback progress (at most every 5 s). */
  persist(force: boolean): void {
    if (!this.save || (!force && this.now() - this.lastSave < 5_000)) return;
    this.lastSave = this.now();
    const { queue, position, volume, muted } = this.snap;
    this.save(JSON.stringify({ queue, position, volume, muted }));
  }
}
