import { randomBytes, randomUUID } from 'node:crypto';
import { BadUserInputError, ConflictError, DomainError, ForbiddenError, NotFoundError } from '@ytm/errors';
import type { Viewer } from '@ytm/auth';
import { decodeCursor, encodeCursor, pageSize, type Page, type PageArgs } from '@ytm/pagination';
import { isUuid } from './ids.js';
import {
  canRead,
  canWrite,
  checkItemIds,
  checkTrackIds,
  insertItems,
  moveItem,
  normaliseDescription,
  normaliseName,
  removeItems,
  type Playlist,
  type PlaylistItem,
  type PlaylistSummary,
  type PlaylistVisibility,
} from './playlist.js';
import type { Clock, PlaylistRepository } from './ports.js';
import type { TrackCatalog } from './track-catalog.js';

export interface PlaylistServiceDeps {
  playlists: PlaylistRepository;
  tracks: TrackCatalog;
  clock: Clock;
}

export interface UpdatePlaylistInput {
  name?: string | null;
  description?: string | null;
  visibility?: PlaylistVisibility | null;
}

/** Without expectedVersion a write is rebased on the latest version this many times before CONFLICT. */
const MAX_ATTEMPTS = 8;

/** Playlists: visibility, ownership, optimistic concurrency and item operations. */
export class PlaylistService {
  constructor(private readonly deps: PlaylistServiceDeps) {}

  /** Null when missing or not readable by the viewer (a PRIVATE playlist of someone else). */
  async get(viewer: Viewer, id: string): Promise<Playlist | null> {
    checkPlaylistId(id);
    const p = await this.deps.playlists.findLatest(id);
    return p && canRead(viewer, p) ? p : null;
  }

  /** The playlist when the viewer may read it, else null (to anyone else a PRIVATE playlist does not exist). */
  readable(viewer: Viewer, p: Playlist | null): Playlist | null {
    return p && canRead(viewer, p) ? p : null;
  }

  /** A user's playlists, newest first: others see the PUBLIC ones only (administrators see all). */
  async ownedBy(viewer: Viewer, ownerId: string, args: PageArgs): Promise<Page<PlaylistSummary>> {
    const first = pageSize(args.first);
    const scope = `playlists:${ownerId}`;
    const after = args.after ? (decodeCursor(scope, args.after, ['number', 'string']) as [number, string]) : undefined;
    const page = await this.deps.playlists.listByOwner(ownerId, {
      publicOnly: viewer.id !== ownerId && viewer.role !== 'ADMIN',
      first,
      ...(after ? { after: { createdAt: new Date(after[0]), id: after[1] } } : {}),
    });
    return {
      edges: page.playlists.map((p) => ({ cursor: encodeCursor(scope, [p.createdAt.getTime(), p.id]), node: p })),
      hasNextPage: page.hasNextPage,
      totalCount: page.totalCount,
    };
  }

  async create(viewer: Viewer, input: { name: string; description?: string | null; visibility?: PlaylistVisibility | null }): Promise<Playlist> {
    const now = this.deps.clock.now();
    const playlist: Playlist = {
      id: randomUUID(),
      ownerId: viewer.id,
      name: normaliseName(input.name),
      description: normaliseDescription(input.description),
      visibility: input.visibility ?? 'PRIVATE',
      version: 1,
      items: [],
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.playlists.create(playlist);
    return playlist;
  }

  update(viewer: Viewer, id: string, input: UpdatePlaylistInput, expectedVersion?: number | null): Promise<Playlist> {
    if (input.name === undefined && input.description === undefined && input.visibility === undefined)
      throw new BadUserInputError('Nothing to update', 'input');
    if (input.name === null) throw new BadUserInputError('name cannot be null', 'name');
    if (input.visibility === null) throw new BadUserInputError('visibility cannot be null', 'visibility');
    const name = input.name === undefined ? undefined : normaliseName(input.name);
    const description = input.description === undefined ? undefined : normaliseDescription(input.description);
    return this.write(viewer, id, expectedVersion, (p) => ({
      ...p,
      ...(name !== undefined ? { name } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(input.visibility ? { visibility: input.visibility } : {}),
    }));
  }

  async delete(viewer: Viewer, id: string): Promise<boolean> {
    await this.write(viewer, id, undefined, (p) => ({ ...p, items: [] }), 'deleted');
    return true;
  }

  /** Unknown track IDs (asked of library) fail the whole call: nothing is added. */
  async addTracks(viewer: Viewer, id: string, trackIds: readonly string[], position?: number | null, expectedVersion?: number | null): Promise<Playlist> {
    checkTrackIds(trackIds);
    if (position !== undefined && position !== null && (!Number.isInteger(position) || position < 0))
      throw new BadUserInputError('position must be 0 or more', 'position');
    // Authorization first: nobody learns which tracks exist through someone else's playlist.
    await this.writable(viewer, id, expectedVersion);
    const unique = [...new Set(trackIds)];
    const found = await this.deps.tracks.getTracks(unique);
    const unknown = unique.filter((t) => !found.has(t));
    if (unknown.length > 0) {
      throw new DomainError('BAD_USER_INPUT', `${unknown.length} track ID(s) are not in the library; nothing was added`, {
        field: 'trackIds',
        unknownTrackIds: unknown.slice(0, 20),
      });
    }
    return this.write(viewer, id, expectedVersion, (p) => {
      const now = this.deps.clock.now();
      const taken = new Set(p.items.map((i) => i.id));
      const added: PlaylistItem[] = trackIds.map((trackId) => ({ id: newItemId(taken), trackId, addedAt: now }));
      return { ...p, items: insertItems(p.items, added, position ?? undefined) };
    });
  }

  removeItems(viewer: Viewer, id: string, itemIds: readonly string[], expectedVersion?: number | null): Promise<Playlist> {
    checkItemIds(itemIds);
    return this.write(viewer, id, expectedVersion, (p) => ({ ...p, items: removeItems(p.items, itemIds) }));
  }

  moveItem(viewer: Viewer, id: string, itemId: string, toPosition: number, expectedVersion?: number | null): Promise<Playlist> {
    checkItemIds([itemId]);
    return this.write(viewer, id, expectedVersion, (p) => ({ ...p, items: moveItem(p.items, itemId, toPosition) }));
  }

  /** Checks existence, access and the expected version once, before expensive validation. */
  private async writable(viewer: Viewer, id: string, expectedVersion?: number | null): Promise<Playlist> {
    checkPlaylistId(id);
    checkExpectedVersion(expectedVersion);
    const current = await this.deps.playlists.findLatest(id);
    if (!current || !canRead(viewer, current)) throw new NotFoundError('Playlist not found');
    if (!canWrite(viewer, current)) throw new ForbiddenError('Only the owner or an administrator may change this playlist');
    if (expectedVersion != null && expectedVersion !== current.version) throw stale(current.version);
    return current;
  }

  /**
   * Read, check, change, commit version + 1. A commit that loses the race for that version is
   * CONFLICT when the caller named a version, and is rebased on the new latest version otherwise.
   */
  private async write(
    viewer: Viewer,
    id: string,
    expectedVersion: number | null | undefined,
    change: (p: Playlist) => Playlist,
    kind: 'updated' | 'deleted' = 'updated',
  ): Promise<Playlist> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.writable(viewer, id, expectedVersion);
      const next: Playlist = { ...change(current), id: current.id, ownerId: current.ownerId, version: current.version + 1, updatedAt: this.deps.clock.now() };
      if (await this.deps.playlists.commit(next, kind)) return next;
      if (expectedVersion != null) throw stale();
      await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
    }
    throw new ConflictError('The playlist is being changed by others; try again');
  }
}

function stale(currentVersion?: number): ConflictError {
  return new ConflictError(
    'The playlist changed since you read it (stale expectedVersion); nothing was changed',
    currentVersion === undefined ? {} : { currentVersion },
  );
}

export function checkPlaylistId(id: string): void {
  if (!isUuid(id)) throw new BadUserInputError('Not a valid playlist ID', 'id');
}

function checkExpectedVersion(v: number | null | undefined): void {
  if (v != null && (!Number.isInteger(v) || v < 1)) throw new BadUserInputError('expectedVersion must be a positive integer', 'expectedVersion');
}

/** 96 random bits, URL-safe; unique within the playlist. */
function newItemId(taken: Set<string>): string {
  for (;;) {
    const id = randomBytes(12).toString('base64url');
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}
