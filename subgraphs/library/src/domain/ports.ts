import type { Album, Artist, Image, ScanStatus, Track } from './model.js';

/** A change to announce: becomes a `library.track.*` event in the outbox. */
export type TrackEvent = { kind: 'added' | 'updated'; trackId: string; changed: Record<string, unknown> } | { kind: 'removed'; trackId: string };

/** The durable copy of the library (the database). Every method is one or a few bulk writes. */
export interface LibraryStore {
  /** Streams everything stored, artists and albums before the tracks that name them. */
  loadAll(sink: { artist(a: Artist): void; album(a: Album): void; image(i: Image): void; track(t: Track): void }): Promise<void>;
  /** Inserts those not stored yet (IDs are derived from names: an existing one is the same). */
  insertArtists(artists: Artist[]): Promise<void>;
  insertAlbums(albums: Album[]): Promise<void>;
  insertImage(image: Image): Promise<void>;
  /** `added` are new IDs, `replaced` overwrite existing ones. */
  saveTracks(added: Track[], replaced: Track[]): Promise<void>;
  deleteTracks(ids: string[]): Promise<void>;
  deleteAlbums(ids: string[]): Promise<void>;
  deleteArtists(ids: string[]): Promise<void>;
  /**
   * Events are written ahead of the change they announce, staged (invisible to the relay), and
   * released once the change is stored: FerretDB has no multi-document transactions, and
   * putting the outbox on track documents would make the relay scan every track.
   */
  stageEvents(events: TrackEvent[]): Promise<string[]>;
  releaseEvents(batchIds: string[]): Promise<void>;
  /** After a crash: releases whatever was staged (at-least-once; the rescan repairs state). */
  releaseStagedEvents(): Promise<number>;
  saveLastScan(status: ScanStatus): Promise<void>;
  loadLastScan(): Promise<ScanStatus | null>;
}

/** Stores image bytes by content hash and renders bounded thumbnails. */
export interface ArtStore {
  has(imageId: string): Promise<boolean>;
  put(bytes: Uint8Array, mimeType: string): Promise<Image>;
}

/** What the API needs from the scanner. */
export interface ScanControl {
  status(): ScanStatus;
  /** Starts a scan unless one is running; returns the status either way. */
  start(full: boolean): ScanStatus;
  lastScanAt(): Date | null;
}

export interface Clock {
  now(): Date;
}
