import { randomUUID } from 'node:crypto';
import type { Model } from 'mongoose';
import { isDuplicateKeyError, upsert } from '@ytm/mongo';
import { DELETED_FIELD, OUTBOX_FIELD, outboxEntry, type OutboxEntry } from '@ytm/events';
import type { Album, Artist, AudioFormat, Image, ScanStatus, Track } from '../domain/model.js';
import type { LibraryStore, TrackEvent } from '../domain/ports.js';
import type { AlbumDoc } from './album.model.js';
import type { ArtistDoc } from './artist.model.js';
import type { ImageDoc } from './image.model.js';
import type { OutboxDoc } from './outbox.model.js';
import type { ScanDoc } from './scan.model.js';
import type { TrackDoc } from './track.model.js';

export const EVENT_SOURCE = 'ytm-library';
const EVENTS_PER_OUTBOX_DOC = 100;

/** Events written ahead of their change, waiting in `outbox_staged` until the change is stored. */
interface StagedDoc {
  _id: string;
  entries: OutboxEntry[];
}

export interface LibraryModels {
  tracks: Model<TrackDoc>;
  albums: Model<AlbumDoc>;
  artists: Model<ArtistDoc>;
  images: Model<ImageDoc>;
  scans: Model<ScanDoc>;
  outbox: Model<OutboxDoc>;
  staged: Model<OutboxDoc>;
}

/** IDs are derived from names, so an existing document is the same artist or album. */
async function insertIfAbsent(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (err) {
    // insertMany(ordered: false) reports every duplicate in writeErrors and inserts the rest.
    const writeErrors = (err as { writeErrors?: { code?: number }[] }).writeErrors;
    const onlyDuplicates = Array.isArray(writeErrors) && writeErrors.length > 0 && writeErrors.every((e) => e.code === 11000);
    if (!isDuplicateKeyError(err) && !onlyDuplicates) throw err;
  }
}

const toTrackDoc = ({ id, addedAt, updatedAt, ...rest }: Track): TrackDoc => ({ _id: id, ...rest, addedAt: new Date(addedAt), updatedAt: new Date(updatedAt) });
const fromTrackDoc = ({ _id, addedAt, updatedAt, format, ...rest }: TrackDoc): Track => {
  // Older documents carried the file size in the format too.
  const { fileSize: _ignored, ...f } = format as AudioFormat & { fileSize?: number };
  return { id: _id, ...rest, format: f, coverArtId: rest.coverArtId ?? null, addedAt: addedAt.getTime(), updatedAt: updatedAt.getTime() };
};

export function toOutboxEntry(e: TrackEvent, now: Date): OutboxEntry {
  const ref = { __typename: 'Track' as const, id: e.trackId };
  if (e.kind === 'removed') return outboxEntry(EVENT_SOURCE, 'library.track.removed', e.trackId, ref, now);
  return outboxEntry(EVENT_SOURCE, e.kind === 'added' ? 'library.track.added' : 'library.track.updated', e.trackId, { ...ref, changed: e.changed }, now);
}

/**
 * The library on MongoDB/FerretDB. Writes are bulk and keyed by `_id` only: on FerretDB's SQLite
 * backend any other filter (and, in 1.24, even an `_id` update) scans the whole collection, so a
 * batch of N changes costs a couple of scans rather than N.
 */
export class MongoLibraryRepository implements LibraryStore {
  private readonly staged = new Map<string, StagedDoc>();

  constructor(
    private readonly m: LibraryModels,
    private readonly onOutbox: () => void = () => undefined,
  ) {}

  async loadAll(sink: { artist(a: Artist): void; album(a: Album): void; image(i: Image): void; track(t: Track): void }): Promise<void> {
    // Cursors rather than toArray: 100,000 raw documents at once would double the peak memory.
    const each = async <D>(model: Model<D>, visit: (doc: D) => void) => {
      for await (const doc of model.collection.find({}, { batchSize: 2_000 })) visit(doc as D);
    };
    await each(this.m.artists, ({ _id, ...a }) => sink.artist({ id: _id, ...a }));
    await each(this.m.albums, ({ _id, ...a }) => sink.album({ id: _id, ...a }));
    await each(this.m.images, ({ _id, ...i }) => sink.image({ id: _id, ...i }));
    await each(this.m.tracks, (d) => sink.track(fromTrackDoc(d)));
  }

  async insertArtists(artists: Artist[]): Promise<void> {
    if (artists.length === 0) return;
    await insertIfAbsent(this.m.artists.collection.insertMany(artists.map(({ id, ...rest }) => ({ _id: id, ...rest })) as never[], { ordered: false }));
  }

  async insertAlbums(albums: Album[]): Promise<void> {
    if (albums.length === 0) return;
    await insertIfAbsent(this.m.albums.collection.insertMany(albums.map(({ id, ...rest }) => ({ _id: id, ...rest })) as never[], { ordered: false }));
  }

  async insertImage({ id, ...rest }: Image): Promise<void> {
    await upsert(() => this.m.images.collection.updateOne({ _id: id as never }, { $setOnInsert: rest }, { upsert: true }));
  }

  /**
   * Another library replica scanning the same folder may have stored the same file first: track IDs
   * are derived from the file's identity, so a duplicate is that same track, and this replica's
   * catalogue takes it as its own scan read it (each replica keeps its own read model).
   */
  async saveTracks(added: Track[], replaced: Track[]): Promise<void> {
    if (added.length > 0) await insertIfAbsent(this.m.tracks.collection.insertMany(added.map(toTrackDoc) as never[], { ordered: false }));
    if (replaced.length === 1) {
      const doc = toTrackDoc(replaced[0]!);
      await this.m.tracks.collection.replaceOne({ _id: doc._id as never }, doc);
    } else if (replaced.length > 1) {
      // Delete + insert costs two collection scans for the whole batch; N replaceOne cost N.
      await this.m.tracks.collection.deleteMany({ _id: { $in: replaced.map((t) => t.id) as never[] } });
      await insertIfAbsent(this.m.tracks.collection.insertMany(replaced.map(toTrackDoc) as never[], { ordered: false }));
    }
  }

  async deleteTracks(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.m.tracks.collection.deleteMany({ _id: { $in: ids as never[] } });
  }

  async deleteAlbums(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.m.albums.collection.deleteMany({ _id: { $in: ids as never[] } });
  }

  async deleteArtists(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.m.artists.collection.deleteMany({ _id: { $in: ids as never[] } });
  }

  async stageEvents(events: TrackEvent[]): Promise<string[]> {
    if (events.length === 0) return [];
    const now = new Date();
    const docs: StagedDoc[] = [];
    for (let i = 0; i < events.length; i += EVENTS_PER_OUTBOX_DOC) {
      docs.push({ _id: randomUUID(), entries: events.slice(i, i + EVENTS_PER_OUTBOX_DOC).map((e) => toOutboxEntry(e, now)) });
    }
    await this.m.staged.collection.insertMany(docs as never[]);
    for (const d of docs) this.staged.set(d._id, d);
    return docs.map((d) => d._id);
  }

  async releaseEvents(batchIds: string[]): Promise<void> {
    const docs = batchIds.map((id) => this.staged.get(id)).filter((d): d is StagedDoc => d !== undefined);
    await this.release(docs);
    for (const id of batchIds) this.staged.delete(id);
  }

  async releaseStagedEvents(): Promise<number> {
    const docs = (await this.m.staged.collection.find({}).toArray()) as unknown as StagedDoc[];
    await this.release(docs);
    return docs.length;
  }

  /** Into the relay's outbox first, then out of staging: a crash in between publishes twice, never zero times. */
  private async release(docs: StagedDoc[]): Promise<void> {
    if (docs.length === 0) return;
    await this.m.outbox.collection
      .insertMany(docs.map((d) => ({ _id: d._id, [OUTBOX_FIELD]: d.entries, [DELETED_FIELD]: true })) as never[], { ordered: false })
      .catch((err: unknown) => {
        // Already released by an earlier attempt.
        if (!isDuplicateKeyError(err) && !(err as { writeErrors?: unknown[] }).writeErrors) throw err;
      });
    await this.m.staged.collection.deleteMany({ _id: { $in: docs.map((d) => d._id) as never[] } });
    this.onOutbox();
  }

  async saveLastScan(status: ScanStatus): Promise<void> {
    await upsert(() => this.m.scans.collection.replaceOne({ _id: 'last' as never }, status, { upsert: true }));
  }

  async loadLastScan(): Promise<ScanStatus | null> {
    const d = (await this.m.scans.collection.findOne({ _id: 'last' as never })) as ScanDoc | null;
    if (!d) return null;
    const { _id, ...status } = d;
    return status;
  }
}
