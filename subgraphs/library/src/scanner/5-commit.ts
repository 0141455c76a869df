import type { Catalogue } from '../domain/catalogue.js';
import type { LibraryStore, TrackEvent } from '../domain/ports.js';
import type { Resolved } from './4-resolve.js';

export interface CommitCounts {
  added: number;
  updated: number;
}

/**
 * Phase 5: store resolved tracks in batches. Per batch: stage the events, write the tracks,
 * apply them to the catalogue, release the events. Batches run one at a time, in order.
 */
export class TrackCommitter {
  private buffer: Resolved[] = [];
  private chain: Promise<void> = Promise.resolve();
  readonly counts: CommitCounts = { added: 0, updated: 0 };

  constructor(
    private readonly catalogue: Catalogue,
    private readonly store: Pick<LibraryStore, 'stageEvents' | 'saveTracks' | 'releaseEvents'>,
    private readonly onCommitted: (counts: CommitCounts) => void = () => undefined,
    private readonly batchSize = 250,
  ) {}

  /** Resolves once the track is buffered; waits for the write when the buffer is full. */
  async add(resolved: Resolved): Promise<void> {
    const { previous, changed, track } = resolved;
    // Re-parsed but identical in every stored field: nothing to write.
    if (previous && !changed && previous.path === track.path && previous.size === track.size && previous.mtimeMs === track.mtimeMs) return;
    this.buffer.push(resolved);
    if (this.buffer.length >= this.batchSize) await this.flush();
  }

  flush(): Promise<void> {
    const batch = this.buffer;
    this.buffer = [];
    this.chain = this.chain.then(() => this.write(batch));
    return this.chain;
  }

  private async write(batch: Resolved[]): Promise<void> {
    if (batch.length === 0) return;
    const added = batch.filter((r) => !this.catalogue.tracks.has(r.track.id));
    const replaced = batch.filter((r) => this.catalogue.tracks.has(r.track.id));
    const events: TrackEvent[] = batch.flatMap((r): TrackEvent[] => {
      if (!r.changed) return [];
      return [{ kind: this.catalogue.tracks.has(r.track.id) ? 'updated' : 'added', trackId: r.track.id, changed: r.changed }];
    });
    const staged = await this.store.stageEvents(events);
    await this.store.saveTracks(
      added.map((r) => r.track),
      replaced.map((r) => r.track),
    );
    for (const r of batch) this.catalogue.putTrack(r.track);
    await this.store.releaseEvents(staged);
    const counts = { added: added.length, updated: replaced.length };
    this.counts.added += counts.added;
    this.counts.updated += counts.updated;
    this.onCommitted(counts);
  }
}
