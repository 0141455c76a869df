import type { Album, AlbumSummary, Artist, AudioFormat, Image, Track } from './model.js';
import { SearchIndex } from './search-index.js';
import { nameKey } from './text-folding.js';

export type EntityKind = 'track' | 'album' | 'artist';

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}
function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}

/** Orders an album's tracks: disc, then track number, then title. */
export function compareInAlbum(a: Track, b: Track): number {
  return (
    (a.discNumber ?? 0) - (b.discNumber ?? 0) ||
    (a.trackNumber ?? 0) - (b.trackNumber ?? 0) ||
    (a.title < b.title ? -1 : a.title > b.title ? 1 : 0) ||
    (a.id < b.id ? -1 : 1)
  );
}

/**
 * The library's read model: every track, album, artist and image with the secondary indexes
 * queries need. The database is the durable copy; this is what reads are served from, because
 * FerretDB (SQLite backend) scans a whole collection for any query but a single-`_id` lookup.
 * It is kept in step by the one writer, the scanner, right after each database write.
 */
export class Catalogue {
  readonly tracks = new Map<string, Track>();
  readonly albums = new Map<string, Album>();
  readonly artists = new Map<string, Artist>();
  readonly images = new Map<string, Image>();
  readonly search = new SearchIndex();
  private readonly byPath = new Map<string, string>();
  /** One ID per identity almost always; an array only for copies of one recording. */
  private readonly byIdentity = new Map<string, string | string[]>();
  /** Repeated strings (codecs, genres, artist and album IDs) stored once. */
  private readonly strings = new Map<string, string>();
  private readonly lists = new Map<string, string[]>();
  private readonly formats = new Map<string, AudioFormat>();
  private readonly byAlbum = new Map<string, Set<string>>();
  private readonly byArtist = new Map<string, Set<string>>();
  private readonly byGenre = new Map<string, Set<string>>();
  private readonly albumsByArtist = new Map<string, Set<string>>();
  private readonly summaries = new Map<string, AlbumSummary>();
  private totals = { duration: 0, bytes: 0 };
  /** Bumped on every change; cached listings are valid for one version. */
  version = 0;
  private readonly observers: ((kind: EntityKind, id: string) => void)[] = [];

  /**
   * Calls `observer` with every entity whose sort keys may have changed: the entity put or
   * removed, and its dependants (an album's tracks when its title changes, an artist's albums
   * and the tracks it heads, an album whose tracks changed).
   */
  onChange(observer: (kind: EntityKind, id: string) => void): void {
    this.observers.push(observer);
  }
  private changed(kind: EntityKind, id: string | null | undefined): void {
    if (id) for (const o of this.observers) o(kind, id);
  }
  private artistChanged(artistId: string): void {
    this.changed('artist', artistId);
    for (const id of this.byArtist.get(artistId) ?? []) if (this.tracks.get(id)?.artistIds[0] === artistId) this.changed('track', id);
    for (const id of this.albumsByArtist.get(artistId) ?? []) this.changed('album', id);
  }

  trackByPath(path: string): Track | undefined {
    const id = this.byPath.get(path);
    return id === undefined ? undefined : this.tracks.get(id);
  }
  tracksWithIdentity(identity: string): Track[] {
    const ids = this.byIdentity.get(identity);
    if (ids === undefined) return [];
    return (typeof ids === 'string' ? [ids] : ids).map((id) => this.tracks.get(id)).filter((t): t is Track => t !== undefined);
  }
  trackIdsOfAlbum(albumId: string): ReadonlySet<string> {
    return this.byAlbum.get(albumId) ?? new Set();
  }
  trackIdsOfArtist(artistId: string): ReadonlySet<string> {
    return this.byArtist.get(artistId) ?? new Set();
  }
  trackIdsOfGenre(genre: string): ReadonlySet<string> {
    return this.byGenre.get(nameKey(genre)) ?? new Set();
  }
  /** Every genre (as first spelled) with its tracks. */
  *genres(): IterableIterator<{ name: string; trackIds: ReadonlySet<string> }> {
    for (const ids of this.byGenre.values()) {
      const first = ids.values().next();
      if (first.done) continue;
      const track = this.tracks.get(first.value);
      const name = track?.genres.find((g) => this.byGenre.get(nameKey(g)) === ids);
      if (name !== undefined) yield { name, trackIds: ids };
    }
  }
  albumIdsOfArtist(artistId: string): ReadonlySet<string> {
    return this.albumsByArtist.get(artistId) ?? new Set();
  }
  /** Every known file path (the scanner compares the disk against them). */
  *paths(): IterableIterator<string> {
    yield* this.byPath.keys();
  }
  get totalDuration(): number {
    return this.totals.duration;
  }
  get totalBytes(): number {
    return this.totals.bytes;
  }

  private intern(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    this.strings.set(s, s);
    return s;
  }

  /** Tracks of one artist or album share one (frozen) array. */
  private internList(list: string[]): string[] {
    const key = list.join('\u0000');
    let known = this.lists.get(key);
    if (!known) this.lists.set(key, (known = Object.freeze(list.map((s) => this.intern(s))) as string[]));
    return known;
  }

  private internFormat(f: AudioFormat): AudioFormat {
    const key = `${f.container}|${f.codec}|${f.mimeType}|${f.bitrate}|${f.sampleRate}|${f.channels}|${f.lossless}`;
    let known = this.formats.get(key);
    if (!known) this.formats.set(key, (known = Object.freeze({ ...f })));
    return known;
  }

  /** Takes ownership of `track` (its repeated strings are swapped for shared copies). */
  putTrack(track: Track): void {
    const old = this.tracks.get(track.id);
    if (old) this.unindexTrack(old);
    track.format = this.internFormat(track.format);
    track.artistIds = this.internList(track.artistIds);
    track.genres = this.internList(track.genres);
    if (track.albumId) track.albumId = this.intern(track.albumId);
    if (track.coverArtId) track.coverArtId = this.intern(track.coverArtId);
    this.tracks.set(track.id, track);
    this.byPath.set(track.path, track.id);
    const same = this.byIdentity.get(track.identity);
    if (same === undefined) this.byIdentity.set(track.identity, track.id);
    else if (typeof same === 'string') {
      if (same !== track.id) this.byIdentity.set(track.identity, [same, track.id]);
    } else if (!same.includes(track.id)) same.push(track.id);
    if (track.albumId) {
      addTo(this.byAlbum, track.albumId, track.id);
      this.summaries.delete(track.albumId);
    }
    for (const a of track.artistIds) addTo(this.byArtist, a, track.id);
    for (const g of track.genres) addTo(this.byGenre, nameKey(g), track.id);
    this.totals.duration += track.duration;
    this.totals.bytes += track.size;
    this.search.put('track', track.id, [track.title, ...track.artistIds.map((a) => this.artists.get(a)?.name ?? ''), this.albumTitle(track.albumId)]);
    this.version += 1;
    this.changed('track', track.id);
    this.changed('album', old?.albumId);
    this.changed('album', track.albumId);
  }

  removeTrack(id: string): Track | undefined {
    const old = this.tracks.get(id);
    if (!old) return undefined;
    this.unindexTrack(old);
    this.tracks.delete(id);
    this.search.remove('track', id);
    this.version += 1;
    this.changed('track', id);
    this.changed('album', old.albumId);
    return old;
  }

  private unindexTrack(t: Track): void {
    if (this.byPath.get(t.path) === t.id) this.byPath.delete(t.path);
    const same = this.byIdentity.get(t.identity);
    if (same === t.id) this.byIdentity.delete(t.identity);
    else if (Array.isArray(same)) {
      const rest = same.filter((id) => id !== t.id);
      if (rest.length === 1) this.byIdentity.set(t.identity, rest[0]!);
      else this.byIdentity.set(t.identity, rest);
    }
    if (t.albumId) {
      removeFrom(this.byAlbum, t.albumId, t.id);
      this.summaries.delete(t.albumId);
    }
    for (const a of t.artistIds) removeFrom(this.byArtist, a, t.id);
    for (const g of t.genres) removeFrom(this.byGenre, nameKey(g), t.id);
    this.totals.duration -= t.duration;
    this.totals.bytes -= t.size;
  }

  putAlbum(album: Album): void {
    const old = this.albums.get(album.id);
    if (old) removeFrom(this.albumsByArtist, old.artistId, old.id);
    this.albums.set(album.id, album);
    addTo(this.albumsByArtist, album.artistId, album.id);
    this.search.put('album', album.id, [album.title, this.artists.get(album.artistId)?.name ?? '']);
    this.version += 1;
    this.changed('album', album.id);
    if (old?.sortTitle !== album.sortTitle) for (const id of this.byAlbum.get(album.id) ?? []) this.changed('track', id);
  }

  removeAlbum(id: string): void {
    const old = this.albums.get(id);
    if (!old) return;
    removeFrom(this.albumsByArtist, old.artistId, id);
    this.albums.delete(id);
    this.summaries.delete(id);
    this.search.remove('album', id);
    this.version += 1;
    this.changed('album', id);
    for (const t of this.byAlbum.get(id) ?? []) this.changed('track', t);
  }

  putArtist(artist: Artist): void {
    const old = this.artists.get(artist.id);
    this.artists.set(artist.id, artist);
    this.search.put('artist', artist.id, [artist.name]);
    this.version += 1;
    if (old?.sortName !== artist.sortName) this.artistChanged(artist.id);
  }

  removeArtist(id: string): void {
    if (!this.artists.delete(id)) return;
    this.search.remove('artist', id);
    this.version += 1;
    this.artistChanged(id);
  }

  putImage(image: Image): void {
    this.images.set(image.id, image);
  }

  /** True when nothing refers to the album any more (it is then removed). */
  albumIsEmpty(albumId: string): boolean {
    return (this.byAlbum.get(albumId)?.size ?? 0) === 0;
  }
  artistIsUnused(artistId: string): boolean {
    return (this.byArtist.get(artistId)?.size ?? 0) === 0 && (this.albumsByArtist.get(artistId)?.size ?? 0) === 0;
  }

  albumTracks(albumId: string): Track[] {
    return [...this.trackIdsOfAlbum(albumId)].map((id) => this.tracks.get(id)!).sort(compareInAlbum);
  }

  albumSummary(albumId: string): AlbumSummary {
    const cached = this.summaries.get(albumId);
    if (cached) return cached;
    const tracks = this.albumTracks(albumId);
    const genres = new Map<string, string>();
    const years = tracks.map((t) => t.year).filter((y): y is number => y !== null);
    for (const t of tracks) for (const g of t.genres) if (!genres.has(nameKey(g))) genres.set(nameKey(g), g);
    const summary: AlbumSummary = {
      year: years.length > 0 ? Math.min(...years) : null,
      genres: [...genres.values()],
      compilation: tracks.some((t) => t.compilation),
      discCount: Math.max(1, ...tracks.map((t) => t.discNumber ?? 1)),
      trackCount: tracks.length,
      duration: tracks.reduce((s, t) => s + t.duration, 0),
      coverArtId: tracks.find((t) => t.coverArtId !== null)?.coverArtId ?? null,
    };
    this.summaries.set(albumId, summary);
    return summary;
  }

  artistCoverArtId(artistId: string): string | null {
    for (const albumId of this.albumIdsOfArtist(artistId)) {
      const cover = this.albumSummary(albumId).coverArtId;
      if (cover) return cover;
    }
    for (const trackId of this.trackIdsOfArtist(artistId)) {
      const cover = this.tracks.get(trackId)?.coverArtId;
      if (cover) return cover;
    }
    return null;
  }

  private albumTitle(albumId: string | null): string {
    return albumId ? (this.albums.get(albumId)?.title ?? '') : '';
  }
}
