/** Entities of the music collection as the rest of the code sees them (no driver types). */

/** Shared by every track with the same encoding (the file size lives on the track). */
export interface AudioFormat {
  container: string;
  codec: string;
  mimeType: string;
  bitrate: number | null;
  sampleRate: number | null;
  channels: number | null;
  lossless: boolean;
}

export interface Track {
  id: string;
  /** Absolute path on the library host; leaves the service only through gRPC GetTrackFile. */
  path: string;
  size: number;
  mtimeMs: number;
  title: string;
  /** Performing artists in tag order. */
  artistIds: string[];
  albumId: string | null;
  trackNumber: number | null;
  discNumber: number | null;
  duration: number;
  genres: string[];
  year: number | null;
  compilation: boolean;
  /** What keeps the ID when the file moves: MusicBrainz recording ID or album/disc/track/title/duration. */
  identity: string;
  format: AudioFormat;
  coverArtId: string | null;
  /** Epoch milliseconds: a Date object per track costs more than the rest of its numbers together. */
  addedAt: number;
  updatedAt: number;
}

export interface Album {
  id: string;
  title: string;
  /** Normalised title, what albums sort by. */
  sortTitle: string;
  artistId: string;
  addedAt: Date;
}

export interface Artist {
  id: string;
  name: string;
  sortName: string;
  addedAt: Date;
}

export interface Image {
  /** Content hash of the original bytes. */
  id: string;
  mimeType: string;
  width: number | null;
  height: number | null;
  size: number;
}

/** Album facts derived from its tracks (never stored, so they cannot drift). */
export interface AlbumSummary {
  year: number | null;
  genres: string[];
  compilation: boolean;
  discCount: number;
  trackCount: number;
  duration: number;
  coverArtId: string | null;
}

export type ScanState = 'IDLE' | 'RUNNING' | 'FAILED';

/** A library scan's status: the one definition, which the Kafka event (messaging/scan-progress.producer.ts) and the GraphQL type are checked against. */
export interface ScanStatus {
  state: ScanState;
  startedAt: Date | null;
  finishedAt: Date | null;
  filesSeen: number;
  filesParsed: number;
  tracksAdded: number;
  tracksUpdated: number;
  tracksRemoved: number;
  errors: number;
}

/** The counting fields of a ScanStatus. */
export type ScanCounter = Exclude<keyof ScanStatus, 'state' | 'startedAt' | 'finishedAt'>;

export interface LibraryStats {
  trackCount: number;
  albumCount: number;
  artistCount: number;
  totalDuration: number;
  totalBytes: number;
  lastScanAt: Date | null;
}

export const VARIOUS_ARTISTS = 'Various Artists';
