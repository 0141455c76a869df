import type { GqlAlbum, GqlArtist, GqlTrack } from '../ytm/model.js';
import type { Notes } from '../ytm/notes.js';

// YTM entities in the OpenSubsonic shapes (Child, AlbumID3, ArtistID3). Fields YTM does not know
// are left out, never invented.

/** The cover art ID clients pass to getCoverArt: the image's content-addressed ID. */
export function coverArtId(image: { url: string } | null | undefined): string | undefined {
  if (!image) return undefined;
  const tail = image.url.split('/art/')[1];
  return tail?.split('?')[0] || undefined;
}

const SUFFIX_BY_MIME: Record<string, string> = {
  'audio/mpeg': 'mp3',
  'audio/flac': 'flac',
  'audio/x-flac': 'flac',
  'audio/mp4': 'm4a',
  'audio/x-m4a': 'm4a',
  'audio/aac': 'aac',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/aiff': 'aiff',
  'audio/x-aiff': 'aiff',
};

export function suffixOf(format: GqlTrack['format']): string {
  if (format.mimeType === 'audio/ogg' || format.mimeType === 'audio/opus') return format.codec.toLowerCase().includes('opus') ? 'opus' : 'ogg';
  return SUFFIX_BY_MIME[format.mimeType] ?? format.container.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const join = (refs: { name: string }[]) => refs.map((r) => r.name).join(', ');
const safeSegment = (s: string) => s.replace(/[/\\\0]/g, '_').slice(0, 120) || '_';

/** A song as a `Child`; `starred` is when the viewer liked it, `userRating` the viewer's rating. */
export function toChild(t: GqlTrack, notes: Notes): Record<string, unknown> {
  const albumArtist = t.album?.artist;
  const suffix = suffixOf(t.format);
  const artistName = join(t.artists);
  const nn = t.trackNumber ? `${String(t.trackNumber).padStart(2, '0')} - ` : '';
  return {
    id: t.id,
    parent: t.album?.id,
    isDir: false,
    title: t.title,
    album: t.album?.title,
    artist: artistName || undefined,
    track: t.trackNumber ?? undefined,
    year: t.year ?? undefined,
    genre: t.genres[0],
    coverArt: coverArtId(t.coverArt),
    size: Math.round(t.format.fileSize),
    contentType: t.format.mimeType,
    suffix,
    duration: Math.round(t.duration),
    bitRate: t.format.bitrate ? Math.round(t.format.bitrate / 1000) : undefined,
    samplingRate: t.format.sampleRate ?? undefined,
    channelCount: t.format.channels ?? undefined,
    // A relative path for clients that name downloads after it; the server's real path stays private.
    path: `${safeSegment(albumArtist?.name ?? t.artists[0]?.name ?? 'Unknown')}/${safeSegment(t.album?.title ?? 'Unknown')}/${safeSegment(`${nn}${t.title}`)}.${suffix}`,
    isVideo: false,
    playCount: t.playCount,
    discNumber: t.discNumber ?? undefined,
    created: t.addedAt,
    starred: t.likedAt ?? undefined,
    userRating: notes.of('track', t.id).userRating,
    albumId: t.album?.id,
    artistId: t.artists[0]?.id,
    type: 'music',
    mediaType: 'song',
    genres: t.genres.map((name) => ({ name })),
    artists: t.artists.map((a) => ({ id: a.id, name: a.name })),
    displayArtist: artistName,
    albumArtists: albumArtist ? [{ id: albumArtist.id, name: albumArtist.name }] : [],
    displayAlbumArtist: albumArtist?.name ?? '',
  };
}

/** An album as `AlbumID3`, with the viewer's `starred` and `userRating`. */
export function toAlbumId3(a: GqlAlbum, notes: Notes): Record<string, unknown> {
  return {
    ...notes.of('album', a.id),
    id: a.id,
    name: a.title,
    artist: a.artist.name,
    artistId: a.artist.id,
    coverArt: coverArtId(a.coverArt),
    songCount: a.trackCount,
    duration: Math.round(a.duration),
    created: a.addedAt,
    year: a.year ?? undefined,
    genre: a.genres[0],
    genres: a.genres.map((name) => ({ name })),
    artists: [{ id: a.artist.id, name: a.artist.name }],
    displayArtist: a.artist.name,
    isCompilation: a.compilation,
    sortName: a.title.toLowerCase(),
  };
}

/** An album as a folder-style `Child` (getAlbumList, getStarred, getMusicDirectory, search2). */
export function toAlbumChild(a: GqlAlbum, notes: Notes): Record<string, unknown> {
  return {
    ...notes.of('album', a.id),
    id: a.id,
    parent: a.artist.id,
    isDir: true,
    title: a.title,
    album: a.title,
    artist: a.artist.name,
    year: a.year ?? undefined,
    genre: a.genres[0],
    coverArt: coverArtId(a.coverArt),
    duration: Math.round(a.duration),
    created: a.addedAt,
    albumId: a.id,
    artistId: a.artist.id,
  };
}

export function toArtistId3(a: GqlArtist, notes: Notes): Record<string, unknown> {
  return { id: a.id, name: a.name, coverArt: coverArtId(a.coverArt), albumCount: a.albumCount, sortName: a.sortName, ...notes.of('artist', a.id) };
}

/** The index letter an artist is listed under (getArtists / getIndexes): A–Z, else `#`. */
export function indexLetter(sortName: string): string {
  const c = sortName.normalize('NFD').replace(/\p{M}/gu, '').charAt(0).toUpperCase();
  return /[A-Z]/.test(c) ? c : '#';
}
