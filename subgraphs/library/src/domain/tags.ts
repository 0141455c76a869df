import { basename, extname } from 'node:path';
import { VARIOUS_ARTISTS } from './model.js';
import { nameKey, sortNameOf } from './text-folding.js';

/** Tags as read from a file, before any interpretation (what the parser worker sends back). */
export interface RawTags {
  title?: string | undefined;
  /** Every artist value in tag order (multi-valued ARTISTS, repeated Vorbis ARTIST, ID3v2.4 lists). */
  artists?: string[] | undefined;
  artist?: string | undefined;
  albumArtist?: string | undefined;
  album?: string | undefined;
  trackNumber?: number | null | undefined;
  discNumber?: number | null | undefined;
  year?: number | undefined;
  date?: string | undefined;
  genres?: string[] | undefined;
  compilation?: boolean | undefined;
  artistSort?: string | undefined;
  albumArtistSort?: string | undefined;
  musicBrainzRecordingId?: string | undefined;
}

/** Tags with the library's semantics applied. */
export interface TrackTags {
  title: string;
  artists: { name: string; sortName: string }[];
  albumArtist: { name: string; sortName: string };
  album: string | null;
  trackNumber: number | null;
  discNumber: number | null;
  year: number | null;
  genres: string[];
  compilation: boolean;
  musicBrainzRecordingId: string | null;
  /** Some value was longer or more numerous than the limits and was cut. */
  truncated: boolean;
}

/** Sane limits: absurd tags are cut, never stored whole. */
export const TAG_LIMITS = { text: 500, name: 200, artists: 30, genres: 10, genre: 60 } as const;

export const UNKNOWN_ARTIST = 'Unknown Artist';

// " feat. ", " ft. ", " featuring ", ";" and " / " separate artists inside one value. Bare "&",
// "/" and "," do not: "Simon & Garfunkel", "AC/DC" and "Crosby, Stills, Nash & Young" are one act.
// eslint-disable-next-line no-control-regex -- ID3v2.4 separates multiple values with NUL
const ARTIST_SEPARATORS = /\s*;\s*|\s+\/\s+|\s+(?:feat\.?|ft\.|featuring)\s+|\s*\u0000\s*/i;
// eslint-disable-next-line no-control-regex -- ID3v2.4 separates multiple values with NUL
const GENRE_SEPARATORS = /\s*[;/\u0000]\s*/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const CONTROL_CHARS = /[\u0000-\u001f\u007f]+/g;
const VARIOUS_RE = /^(?:various(?:\s+artists)?|va|v\.a\.)$/i;

function clean(value: string | undefined, max: number, cut: { truncated: boolean }): string | undefined {
  if (value === undefined) return undefined;
  // Control characters make names unreadable and break logs; whitespace is collapsed.
  let v = value.replace(CONTROL_CHARS, ' ').replace(/\s+/g, ' ').trim();
  if (v.length > max) {
    v = v.slice(0, max).trim();
    cut.truncated = true;
  }
  return v === '' ? undefined : v;
}

function dedupeByKey<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function splitArtists(values: string[]): string[] {
  return values.flatMap((v) => v.split(ARTIST_SEPARATORS));
}

function validNumber(n: number | null | undefined, max: number): number | null {
  return typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= max ? n : null;
}

function yearOf(raw: RawTags): number | null {
  const fromDate = raw.date ? Number(/^\s*(\d{4})/.exec(raw.date)?.[1]) : NaN;
  const y = raw.year ?? (Number.isNaN(fromDate) ? undefined : fromDate);
  return typeof y === 'number' && Number.isInteger(y) && y >= 1000 && y <= 2999 ? y : null;
}

/** The title when the file has none: its name without the extension. */
export function titleFromPath(path: string): string {
  return basename(path, extname(path));
}

/**
 * Applies the tag semantics: artist lists and separators, album artist versus track artists,
 * compilations under "Various Artists", numbers and years within sane ranges, genres split and
 * deduplicated, sort names, and size limits.
 */
export function normalizeTags(raw: RawTags, path: string): TrackTags {
  const cut = { truncated: false };
  const title = clean(raw.title, TAG_LIMITS.text, cut) ?? clean(titleFromPath(path), TAG_LIMITS.text, cut) ?? 'Untitled';

  const rawArtists = raw.artists && raw.artists.length > 0 ? raw.artists : raw.artist ? [raw.artist] : [];
  let names = dedupeByKey(
    splitArtists(rawArtists.slice(0, TAG_LIMITS.artists * 4))
      .map((a) => clean(a, TAG_LIMITS.name, cut))
      .filter((a): a is string => a !== undefined),
    nameKey,
  );
  if (names.length > TAG_LIMITS.artists) {
    names = names.slice(0, TAG_LIMITS.artists);
    cut.truncated = true;
  }
  if (rawArtists.length > TAG_LIMITS.artists * 4) cut.truncated = true;
  if (names.length === 0) names = [UNKNOWN_ARTIST];
  const artistSort = clean(raw.artistSort, TAG_LIMITS.name, cut);
  const artists = names.map((name, i) => ({ name, sortName: i === 0 && artistSort && names.length === 1 ? artistSort : sortNameOf(name) }));

  const albumArtistTag = clean(raw.albumArtist, TAG_LIMITS.name, cut);
  const compilation = raw.compilation === true || (albumArtistTag !== undefined && VARIOUS_RE.test(albumArtistTag));
  let albumArtist: TrackTags['albumArtist'];
  if (compilation) albumArtist = { name: VARIOUS_ARTISTS, sortName: VARIOUS_ARTISTS };
  else if (albumArtistTag) albumArtist = { name: albumArtistTag, sortName: clean(raw.albumArtistSort, TAG_LIMITS.name, cut) ?? sortNameOf(albumArtistTag) };
  else albumArtist = artists[0] ?? { name: UNKNOWN_ARTIST, sortName: UNKNOWN_ARTIST };

  let genres = dedupeByKey(
    (raw.genres ?? [])
      .slice(0, TAG_LIMITS.genres * 4)
      .flatMap((g) => g.split(GENRE_SEPARATORS))
      .map((g) => clean(g, TAG_LIMITS.genre, cut))
      .filter((g): g is string => g !== undefined),
    nameKey,
  );
  if (genres.length > TAG_LIMITS.genres) {
    genres = genres.slice(0, TAG_LIMITS.genres);
    cut.truncated = true;
  }

  const mbid = clean(raw.musicBrainzRecordingId, 64, cut);
  return {
    title,
    artists,
    albumArtist,
    album: clean(raw.album, TAG_LIMITS.text, cut) ?? null,
    trackNumber: validNumber(raw.trackNumber, 9_999),
    discNumber: validNumber(raw.discNumber, 999),
    year: yearOf(raw),
    genres,
    compilation,
    musicBrainzRecordingId: mbid && /^[0-9a-f-]{36}$/i.test(mbid) ? mbid : null,
    truncated: cut.truncated,
  };
}
