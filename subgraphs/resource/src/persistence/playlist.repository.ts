import { randomBytes } from 'node:crypto';
import type { Collection } from 'mongoose';
import { DELETED_FIELD, OUTBOX_FIELD, outboxEntry, type OutboxEntry } from '@ytm/events';
import { isDuplicateKeyError, upsert } from '@ytm/mongo';
import type { Playlist } from '../domain/playlist.js';
import type { PlaylistChangeKind, PlaylistRepository } from '../domain/ports.js';
import { versionId, type PlaylistHeadDoc, type PlaylistStateDoc, type PlaylistVersionDoc } from './playlist.model.js';
import type { Logger } from '@ytm/logger';
import { newestFirst, OwnerListings } from './owner-listings.js';
import type { ReadModelIntents } from './read-model-intents.js';
import { EVENT_SOURCE } from './user.repository.js';

function toState(p: Playlist, stateId: string): PlaylistStateDoc {
  const { id, ownerId, name, description, visibility, version, createdAt, updatedAt } = p;
  return {
    _id: stateId,
    playlistId: id,
    ownerId,
    name,
    description,
    visibility,
    version,
    items: p.items.map((i) => ({ id: i.id, trackId: i.trackId, addedAt: i.addedAt })),
    createdAt,
    updatedAt,
  };
}

function toHead(p: Playlist, stateId: string | null, deleted: boolean): PlaylistHeadDoc {
  const { id, ownerId, name, description, visibility, version, createdAt, updatedAt } = p;
  return { _id: id, ownerId, name, description, visibility, version, trackCount: p.items.length, createdAt, updatedAt, deleted, stateId };
}

function toPlaylist(d: PlaylistStateDoc): Playlist {
  return {
    id: d.playlistId,
    ownerId: d.ownerId,
    name: d.name,
    description: d.description ?? null,
    visibility: d.visibility,
    version: d.version,
    items: d.items ?? [],
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

function event(kind: PlaylistChangeKind, p: Playlist): OutboxEntry {
  return outboxEntry(EVENT_SOURCE, `resource.playlist.${kind}`, p.id, {
    __typename: 'Playlist',
    id: p.id,
    ownerId: p.ownerId,
    version: p.version,
    visibility: p.visibility,
  });
}

const byId = (id: string) => ({ _id: id as never });

/**
 * States are immutable, so a state read by `_id` can be kept: paging through a big playlist reads
 * it once, not once per page (a 1,000-item state costs FerretDB ~25–50 ms to decode). LRU, bounded
 * by the number of items held.
 */
class StateCache {
  private readonly states = new Map<string, PlaylistStateDoc>();
  private items = 0;

  constructor(private readonly maxItems: number) {}

  get(id: string): PlaylistStateDoc | undefined {
    const state = this.states.get(id);
    if (state) {
      this.states.delete(id);
      this.states.set(id, state);
    }
    return state;
  }

  set(state: PlaylistStateDoc): void {
    if (this.states.has(state._id) || state.items.length > this.maxItems) return;
    this.states.set(state._id, state);
    this.items += state.items.length + 1;
    for (const [id, old] of this.states) {
      if (this.items <= this.maxItems) break;
      this.states.delete(id);
      this.items -= old.items.length + 1;
    }
  }
}

/**
 * Playlists as committed versions; see playlist.model.ts for why three collections.
 *
 * An owner's playlists (a filter on `ownerId`: FerretDB reads every head) are a read model kept
 * after every head write (`OwnerListings`), read by `_id`.
 */
export class MongoPlaylistRepository implements PlaylistRepository {
  private readonly cache: StateCache;
  private readonly owned: OwnerListings;

  /** `readModels`/`intents`: where the owners' listings are kept (see OwnerListings). */
  constructor(
    private readonly heads: Collection,
    private readonly versions: Collection,
    private readonly states: Collection,
    readModels: Collection,
    intents: ReadModelIntents,
    /** After a version document with its event was inserted: its `_id` (the relay reads it by `_id`). */
    private readonly onOutbox: (id: string) => void = () => undefined,
    options: { cachedItems?: number; logger?: Logger } = {},
  ) {
    this.cache = new StateCache(options.cachedItems ?? 200_000);
    this.owned = new OwnerListings(heads, readModels, intents, (id) => this.findLatest(id), options.logger);
  }

  /** Listings for owners with playlists from before the listings existed (once per start; progress logged). */
  backfill(): Promise<void> {
    return this.owned.backfill();
  }

  async init(): Promise<void> {
    await this.heads.createIndex({ ownerId: 1, createdAt: -1 });
    await this.versions.createIndex({ playlistId: 1, version: -1 });
  }

  async create(p: Playlist): Promise<void> {
    await this.owned.changing(p.ownerId, p.id, () => this.commitVersion(p, 'created'));
  }

  commit(next: Playlist, kind: Exclude<PlaylistChangeKind, 'created'>): Promise<boolean> {
    return this.owned.changing(next.ownerId, next.id, () => this.commitVersion(next, kind));
  }

  async findLatest(id: string): Promise<Playlist | null> {
    const head = await this.heads.findOne<PlaylistHeadDoc>(byId(id));
    let version = head?.version ?? 0;
    let stateId = head?.stateId ?? null;
    let deleted = head?.deleted ?? false;
    let stale = false;
    for (;;) {
      const next = await this.versions.findOne<PlaylistVersionDoc>(byId(versionId(id, version + 1)));
      if (!next) break;
      ({ version, stateId, deleted } = next);
      stale = true;
    }
    if (version === 0) return null;
    if (deleted) {
      // A tombstone the head does not show yet (its writer stopped before): the head says so now.
      if (stale && head) {
        await this.writeHead({ ...head, version, deleted: true, stateId: null });
        await this.owned.reconcile(head.ownerId, id);
      }
      return null;
    }
    let state = stateId ? await this.readState(stateId) : null;
    // A head lagging past pruned versions: look the latest version up the slow way.
    if (!state) state = await this.latestByScan(id);
    if (!state) return null;
    const playlist = toPlaylist(state);
    if (stale) {
      await this.writeHead(toHead(playlist, state._id, false));
      await this.owned.reconcile(playlist.ownerId, id);
    }
    return playlist;
  }

  async listByOwner(ownerId: string, options: { publicOnly: boolean; first: number; after?: { createdAt: Date; id: string } }) {
    const all = (await this.owned.listing(ownerId)).filter((p) => !options.publicOnly || p.visibility === 'PUBLIC');
    const { after } = options;
    const start = after ? all.findIndex((p) => newestFirst(p, { ...p, createdAt: after.createdAt, id: after.id }) > 0) : 0;
    const rest = start < 0 ? [] : all.slice(start);
    return { playlists: rest.slice(0, options.first), hasNextPage: rest.length > options.first, totalCount: all.length };
  }

  /** State first (an orphan if the commit loses), then the version document: the commit. */
  private async commitVersion(p: Playlist, kind: PlaylistChangeKind): Promise<boolean> {
    const deleted = kind === 'deleted';
    const stateId = deleted ? null : `${p.id}:${p.version}:${randomBytes(6).toString('hex')}`;
    const state = stateId ? toState(p, stateId) : null;
    if (state) await this.states.insertOne({ ...state } as never);
    const version: PlaylistVersionDoc = {
      _id: versionId(p.id, p.version),
      playlistId: p.id,
      version: p.version,
      stateId,
      deleted,
      committedAt: new Date(),
      [OUTBOX_FIELD]: [event(kind, p)],
    };
    try {
      await this.versions.insertOne(version as never);
    } catch (err) {
      if (stateId) await this.states.deleteOne(byId(stateId)).catch(() => undefined);
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
    this.onOutbox(version._id);
    if (state) this.cache.set(state);
    await this.writeHead(toHead(p, stateId, deleted));
    // The big state of the version before the previous one is of no use any more (a reader that
    // still reaches it falls back to a scan); version documents go in the sweep.
    if (p.version > 2) void this.dropState(p.id, p.version - 2).catch(() => undefined);
    return true;
  }

  /** Best effort, checked before and after: a slower writer's older head should not stay on top. */
  private async writeHead(head: PlaylistHeadDoc): Promise<void> {
    const current = await this.heads.findOne<PlaylistHeadDoc>(byId(head._id), { projection: { version: 1 } });
    if (current && current.version >= head.version) return;
    for (let attempt = 0; attempt < 3; attempt++) {
      await upsert(() => this.heads.replaceOne(byId(head._id), head, { upsert: true }));
      const stored = await this.heads.findOne<PlaylistHeadDoc>(byId(head._id), { projection: { version: 1 } });
      if (!stored || stored.version >= head.version) return;
    }
  }

  private async readState(stateId: string): Promise<PlaylistStateDoc | null> {
    const cached = this.cache.get(stateId);
    if (cached) return cached;
    const state = await this.states.findOne<PlaylistStateDoc>(byId(stateId));
    if (state) this.cache.set(state);
    return state;
  }

  private async dropState(id: string, version: number): Promise<void> {
    const doc = await this.versions.findOne<PlaylistVersionDoc>(byId(versionId(id, version)), { projection: { stateId: 1 } });
    if (doc?.stateId) await this.states.deleteOne(byId(doc.stateId));
  }

  /**
   * Removes superseded version documents older than `minAgeMs` (no head can still be set back to
   * them: their writers finished long ago) and their states. The latest version of every playlist
   * stays, tombstones included. A document whose event is not out yet is left to the relay.
   */
  async sweep(minAgeMs: number, now = new Date()): Promise<number> {
    const docs = await this.versions
      .find<PlaylistVersionDoc>({}, { projection: { playlistId: 1, version: 1, stateId: 1, committedAt: 1, [OUTBOX_FIELD]: 1, [DELETED_FIELD]: 1 } })
      .toArray();
    const latest = new Map<string, number>();
    for (const d of docs) latest.set(d.playlistId, Math.max(latest.get(d.playlistId) ?? 0, d.version));
    let removed = 0;
    for (const d of docs) {
      if (d.version >= (latest.get(d.playlistId) ?? 0) || now.getTime() - new Date(d.committedAt).getTime() < minAgeMs) continue;
      if (d.stateId) await this.states.deleteOne(byId(d.stateId));
      if ((d[OUTBOX_FIELD]?.length ?? 0) === 0) removed += (await this.versions.deleteOne(byId(d._id))).deletedCount;
      else if (!d[DELETED_FIELD]) await this.versions.updateOne(byId(d._id), { $set: { [DELETED_FIELD]: true } });
    }
    return removed;
  }

  private async latestByScan(id: string): Promise<PlaylistStateDoc | null> {
    const [latest] = await this.versions
      .find<PlaylistVersionDoc>({ playlistId: id } as never)
      .sort({ version: -1 })
      .limit(1)
      .toArray();
    if (!latest || latest.deleted || !latest.stateId) return null;
    return this.states.findOne<PlaylistStateDoc>(byId(latest.stateId));
  }
}
