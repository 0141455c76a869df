import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { Logger } from '@ytm/logger';
import type { Catalogue } from '../domain/catalogue.js';
import { albumIdOf, artistIdOf, imageIdOf, trackIdentityOf, trackIdOf } from '../domain/identity.js';
import type { Album, Artist, Image, Track } from '../domain/model.js';
import type { LibraryStore } from '../domain/ports.js';
import { normalizeTags, type TrackTags } from '../domain/tags.js';
import { sortKeyOf } from '../domain/text-folding.js';
import type { FoundFile, WalkResult } from './1-walk.js';
import { folderImageRank, isDiscFolder, mimeTypeOf } from './audio-files.js';
import type { KeyedLock } from './keyed-lock.js';
import type { ParseOutcome } from './parse.protocol.js';
import type { Tombstones } from './tombstones.js';

/** A parsed file turned into a track, ready to be stored. */
export interface Resolved {
  track: Track;
  /** The stored track this one replaces (same path, or the file it was moved from). */
  previous: Track | undefined;
  /** Public fields that differ from `previous` (all of them for a new track); null when none do. */
  changed: Record<string, unknown> | null;
}

export interface ResolverDeps {
  catalogue: Catalogue;
  store: Pick<LibraryStore, 'insertImage'>;
  art: { put(bytes: Uint8Array, mimeType: string): Promise<Image> };
  lock: KeyedLock;
  tombstones: Tombstones;
  logger: Logger;
  now: () => Date;
}

const PUBLIC_FIELDS = ['title', 'artistIds', 'albumId', 'trackNumber', 'discNumber', 'duration', 'genres', 'year', 'format', 'coverArtId'] as const;
const MAX_FOLDER_IMAGE_BYTES = 20 * 1024 * 1024;

export function changedFields(previous: Track | undefined, next: Track): Record<string, unknown> | null {
  const changed: Record<string, unknown> = {};
  for (const f of PUBLIC_FIELDS) {
    if (!previous || JSON.stringify(previous[f]) !== JSON.stringify(next[f])) changed[f] = next[f];
  }
  return Object.keys(changed).length > 0 ? changed : null;
}

/**
 * Phase 4: tags → artists, album, cover art and a track with a stable ID. Creating an artist,
 * album or image happens under a per-key lock, so concurrent files naming the same new album
 * create it once; new artists and albums are stored by the committer, ahead of their tracks.
 */
export class TrackResolver {
  /** IDs handed out during the current run (two new copies of one recording get two IDs). */
  private reserved = new Set<string>();
  private folderArt = new Map<string, Promise<string | null>>();
  /** Artists and albums created since the last commit: stored with the tracks that name them. */
  private created: { artists: Artist[]; albums: Album[] } = { artists: [], albums: [] };
  private walked: Pick<WalkResult, 'folderImages' | 'listed'> = { folderImages: new Map(), listed: new Set() };

  constructor(private readonly deps: ResolverDeps) {}

  beginRun(walked: Pick<WalkResult, 'folderImages' | 'listed'>): void {
    this.reserved = new Set();
    this.folderArt = new Map();
    this.walked = walked;
  }

  /** Lets go of the run's state (a full scan's IDs and folder listing: tens of MB at 100,000 tracks). */
  endRun(): void {
    this.beginRun({ folderImages: new Map(), listed: new Set() });
  }

  /** Hands over the artists and albums created since the last call (the committer stores them first). */
  takeCreated(): { artists: Artist[]; albums: Album[] } {
    const created = this.created;
    this.created = { artists: [], albums: [] };
    return created;
  }

  async resolve(file: FoundFile, parsed: ParseOutcome & { ok: true }): Promise<Resolved> {
    const { catalogue, logger, now } = this.deps;
    const tags = normalizeTags(parsed.tags, file.path);
    if (tags.truncated) logger.warn({ path: file.path }, 'tags longer or more numerous than the limits were truncated');
    const albumArtistId = await this.ensureArtist(tags.albumArtist.name, tags.albumArtist.sortName);
    const artistIds: string[] = [];
    for (const a of tags.artists) artistIds.push(await this.ensureArtist(a.name, a.sortName));
    const albumId = tags.album ? await this.ensureAlbum(tags.albumArtist.name, tags.album, albumArtistId) : null;
    const coverArtId = parsed.picture
      ? await this.ensureImage(parsed.picture.data, parsed.picture.mimeType, file.path)
      : await this.folderImage(dirname(file.path));
    const f = parsed.format;
    const identity = trackIdentityOf({
      musicBrainzRecordingId: tags.musicBrainzRecordingId,
      albumId,
      discNumber: tags.discNumber,
      trackNumber: tags.trackNumber,
      title: tags.title,
      duration: f.duration,
    });

    const atPath = catalogue.trackByPath(file.path);
    const claim = atPath ? { id: atPath.id, from: atPath, addedAt: atPath.addedAt } : await this.claimId(identity, file.path);
    const previous = claim.from;
    const track: Track = {
      id: claim.id,
      path: file.path,
      size: file.size,
      mtimeMs: file.mtimeMs,
      ...this.trackFields(tags),
      artistIds,
      albumId,
      duration: Math.round(f.duration * 1000) / 1000,
      identity,
      format: {
        container: f.container || extname(file.path).slice(1).toUpperCase(),
        codec: f.codec,
        mimeType: mimeTypeOf(f.container, f.codec, file.path),
        bitrate: f.bitrate,
        sampleRate: f.sampleRate,
        channels: f.channels,
        lossless: f.lossless,
      },
      coverArtId,
      addedAt: claim.addedAt ?? now().getTime(),
      updatedAt: now().getTime(),
    };
    const changed = changedFields(previous, track);
    if (previous && !changed && previous.path === track.path) track.updatedAt = previous.updatedAt;
    return { track, previous, changed };
  }

  private trackFields(tags: TrackTags) {
    return {
      title: tags.title,
      trackNumber: tags.trackNumber,
      discNumber: tags.discNumber,
      genres: tags.genres,
      year: tags.year,
      compilation: tags.compilation,
    };
  }

  /** A moved file takes the ID of a known track with its identity whose file is gone. */
  private async claimId(identity: string, path: string): Promise<{ id: string; from?: Track; addedAt?: number }> {
    const { catalogue, tombstones } = this.deps;
    for (const t of catalogue.tracksWithIdentity(identity)) {
      if (t.path === path || this.reserved.has(t.id)) continue;
      const stillThere = await stat(t.path).then(
        () => true,
        () => false,
      );
      if (stillThere || this.reserved.has(t.id)) continue;
      this.reserved.add(t.id);
      return { id: t.id, from: t, addedAt: t.addedAt };
    }
    const tomb = tombstones.take(identity);
    if (tomb && !catalogue.tracks.has(tomb.id) && !this.reserved.has(tomb.id)) {
      this.reserved.add(tomb.id);
      return { id: tomb.id, addedAt: tomb.addedAt };
    }
    let id = trackIdOf(identity);
    if (catalogue.tracks.has(id) || this.reserved.has(id)) id = trackIdOf(identity, path);
    this.reserved.add(id);
    return { id };
  }

  private async ensureArtist(name: string, sortName: string): Promise<string> {
    const id = artistIdOf(name);
    const { catalogue, lock, now } = this.deps;
    if (catalogue.artists.has(id)) return id;
    await lock.run(id, async () => {
      if (catalogue.artists.has(id)) return;
      const artist = { id, name, sortName, addedAt: now() };
      catalogue.putArtist(artist);
      this.created.artists.push(artist);
    });
    return id;
  }

  private async ensureAlbum(artistName: string, title: string, artistId: string): Promise<string> {
    const id = albumIdOf(artistName, title);
    const { catalogue, lock, now } = this.deps;
    if (catalogue.albums.has(id)) return id;
    await lock.run(id, async () => {
      if (catalogue.albums.has(id)) return;
      const album = { id, title, sortTitle: sortKeyOf(title), artistId, addedAt: now() };
      catalogue.putAlbum(album);
      this.created.albums.push(album);
    });
    return id;
  }

  private async ensureImage(bytes: Uint8Array, mimeType: string, source: string): Promise<string | null> {
    const id = imageIdOf(bytes);
    const { catalogue, store, art, lock, logger } = this.deps;
    if (catalogue.images.has(id)) return id;
    return lock.run(`image:${id}`, async () => {
      if (catalogue.images.has(id)) return id;
      let image: Image;
      try {
        image = await art.put(bytes, mimeType);
      } catch (err) {
        logger.warn({ path: source, err: (err as Error).message }, 'skipping unreadable cover art');
        return null;
      }
      await store.insertImage(image);
      catalogue.putImage(image);
      return id;
    });
  }

  /** The folder's cover, or for a disc folder (CD1, Disc 2) the album folder's. */
  private folderImage(dir: string): Promise<string | null> {
    let pending = this.folderArt.get(dir);
    if (!pending) {
      pending = this.imageOfFolder(dir).then((id) => (id === null && isDiscFolder(basename(dir)) ? this.imageOfFolder(dirname(dir)) : id));
      this.folderArt.set(dir, pending);
    }
    return pending;
  }

  private async imageOfFolder(dir: string): Promise<string | null> {
    // The walk saw the folders it listed; a parent outside the walk (watcher runs) is looked at here.
    const file = this.walked.listed.has(dir) ? this.walked.folderImages.get(dir) : await findFolderImage(dir);
    if (!file || file.size > MAX_FOLDER_IMAGE_BYTES) return null;
    const bytes = await readFile(file.path).catch(() => undefined);
    return bytes ? this.ensureImage(bytes, file.path.toLowerCase().endsWith('.png') ? 'image/png' : 'image/jpeg', file.path) : null;
  }
}

/** The best folder image in a folder not listed by the walk. */
async function findFolderImage(dir: string): Promise<FoundFile | undefined> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const best = names
    .map((name) => ({ name, rank: folderImageRank(name) }))
    .filter((c): c is { name: string; rank: number } => c.rank !== undefined)
    .sort((a, b) => a.rank - b.rank)[0];
  if (!best) return undefined;
  const path = join(dir, best.name);
  const s = await stat(path).catch(() => undefined);
  return s?.isFile() ? { path, size: s.size, mtimeMs: Math.trunc(s.mtimeMs) } : undefined;
}
