import type { Catalogue } from '../domain/catalogue.js';
import type { Album, Artist } from '../domain/model.js';
import type { LibraryStore, TrackEvent } from '../domain/ports.js';
import { asError } from './3-parse.js';
import type { Resolved } from './4-resolve.js';

export interface CommitCounts {
  added: number;
  updated: number;
}

type CommitStore = Pick<LibraryStore, 'insertArtists' | 'insertAlbums' | 'stageEvents' | 'saveTracks' | 'releaseEvents'>;

/**
 * Phase 5: store resolved tracks in batches, in the background while parsing goes on. Per
 * batch: new artists and albums, then the events (staged), the tracks, the catalogue, and the
 * events released. Batches are written one at a time, in order; a failed write fails the run.
 */
export class TrackCommitter {
  private buffer: Resolved[] = [];
  private chain: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private failure: unknown;
  readonly counts: CommitCounts = { added: 0, updated: 0 };

  constructor(
    private readonly catalogue: Catalogue,
    private readonly store: CommitStore,
    private readonly takeCreated: () => { artists: Artist[]; albums: Album[] },
    private readonly onCommitted: (counts: CommitCounts) => void = () => undefined,
    private readonly batchSize = 250,
    private readonly maxInFlight = 2,
  ) {}

  /** Buffers a track; waits only when the writer is `maxInFlight` batches behind. */
  async add(resolved: Resolved): Promise<void> {
    if (this.failure !== undefined) throw asError(this.failure);
    const { previous, changed, track } = resolved;
    // Re-parsed but identical in every stored field: nothing to write.
    if (previous && !changed && previous.path === track.path && previous.size === track.size && previous.mtimeMs === track.mtimeMs) return;
    this.buffer.push(resolved);
    if (this.buffer.length < this.batchSize) return;
    const written = this.enqueue();
    if (this.inFlight > this.maxInFlight) await written;
  }

  /** Writes what is buffered and waits for every batch; rethrows a failed write. */
  async flush(): Promise<void> {
    await this.enqueue();
    if (this.failure !== undefined) throw asError(this.failure);
  }

  private enqueue(): Promise<void> {
    const batch = this.buffer;
    this.buffer = [];
    this.inFlight += 1;
    this.chain = this.chain
      .then(() => (this.failure === undefined ? this.write(batch) : undefined))
      .catch((err: unknown) => {
        this.failure ??= err;
      })
      .finally(() => {
        this.inFlight -= 1;
      });
    return this.chain;
  }

  private async write(batch: Resolved[]): Promise<void> {
    const created = this.takeCreated();
    await this.store.insertArtists(created.artists);
    await this.store.insertAlbums(created.albums);
    if (batch.length === 0) return;
    const isNew = (r: Resolved) => !this.catalogue.tracks.has(r.track.id);
    const added = batch.filter(isNew);
    const replaced = batch.filter((r) => !isNew(r));
    const events: TrackEvent[] = batch.flatMap((r): TrackEvent[] =>
      r.changed ? [{ kind: isNew(r) ? 'added' : 'updated', trackId: r.track.id, changed: r.changed }] : [],
    );
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
