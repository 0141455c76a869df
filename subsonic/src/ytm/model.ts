// The shapes of ./documents.ts selections, as the GraphQL API answers them.

export interface Ref {
  id: string;
  name: string;
}

export interface GqlTrack {
  id: string;
  title: string;
  trackNumber: number | null;
  discNumber: number | null;
  duration: number;
  genres: string[];
  year: number | null;
  addedAt: string;
  likedAt: string | null;
  playCount?: number;
  format: { container: string; codec: string; mimeType: string; bitrate: number | null; sampleRate: number | null; channels: number | null; fileSize: number };
  coverArt: { url: string } | null;
  album: { id: string; title: string; artist: Ref } | null;
  artists: Ref[];
}

export interface GqlAlbum {
  id: string;
  title: string;
  year: number | null;
  genres: string[];
  compilation: boolean;
  trackCount: number;
  duration: number;
  addedAt: string;
  coverArt: { url: string } | null;
  artist: Ref;
  tracks?: GqlTrack[];
}

export interface GqlArtist {
  id: string;
  name: string;
  sortName: string;
  albumCount: number;
  coverArt: { url: string } | null;
}

export interface Connection<T> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ node: T }>;
}
