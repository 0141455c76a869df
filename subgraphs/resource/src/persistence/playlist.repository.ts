import type { Collection } from 'mongoose';
import { DELETED_FIELD, OUTBOX_FIELD, outboxEntry, type OutboxEntry } from '@ytm/events';
import { isDuplicateKeyError } from '@ytm/mongo';
import type { Playlist, PlaylistSummary } from '../domain/playlist.js';
import type { PlaylistChangeKind, PlaylistRepository } from '../domain/ports.js';
import { revisionId, type PlaylistHeadDoc, type PlaylistRevisionDoc, type PlaylistStateDoc } from './playlist.model.js';
import { EVENT_SOURCE } from './user.repository.js';

function toState(p: Playlist, deleted: boolean): PlaylistStateDoc {
  return {
    ownerId: p.ownerId,
    name: p.name,
    description: p.description,
    visibility: p.visibility,
    version: p.version,
    items: p.items.map((i) => ({ id: i.id, trackId: i.trackId, addedAt: i.addedAt })),
    trackCount: p.items.length,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    deleted,
  };
}

function toPlaylist(id: string, d: PlaylistStateDoc): Playlist {
  return {
    id,
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

/**
 * Playlists as immutable versions plus a head (see playlist.model.ts). Of concurrent writers of
 * version n+1 exactly one inserts `<id>:<n+1>`; the rest get `false` and re-read.
 */
export class MongoPlaylistRepository implements PlaylistRepository {
  constructor(
    private readonly heads: Collection,
    private readonly revisions: Collection,
    private readonly onOutbox: () => void = () => undefined,
  ) {}

  async init(): Promise<void> {
    await this.heads.createIndex({ ownerId: 1, createdAt: -1 });
  }

  async create(p: Playlist): Promise<void> {
    const state = toState(p, false);
    await this.revisions.insertOne({ _id: revisionId(p.id, p.version), playlistId: p.id, ...state, [OUTBOX_FIELD]: [event('created', p)] } as never);
    this.onOutbox();
    await this.heads.insertOne({ _id: p.id, ...state } as never);
  }

  async findLatest(id: string): Promise<Playlist | null> {
    const head = await this.heads.findOne<PlaylistHeadDoc>({ _id: id as never });
    // No head: a crash between the first version and its head; the first version is the truth.
    let latest: PlaylistStateDoc | null = head ?? (await this.revisions.findOne<PlaylistRevisionDoc>({ _id: revisionId(id, 1) as never }));
    if (!latest) return null;
    let stale = head === null;
    for (;;) {
      const next: PlaylistRevisionDoc | null = await this.revisions.findOne<PlaylistRevisionDoc>({ _id: revisionId(id, latest.version + 1) as never });
      if (!next) break;
      latest = next;
      stale = true;
    }
    if (stale) await this.writeHead(id, stateOf(latest));
    return latest.deleted ? null : toPlaylist(id, latest);
  }

  async commit(next: Playlist, kind: Exclude<PlaylistChangeKind, 'created'>): Promise<boolean> {
    const state = toState(next, kind === 'deleted');
    try {
      await this.revisions.insertOne({ _id: revisionId(next.id, next.version), playlistId: next.id, ...state, [OUTBOX_FIELD]: [event(kind, next)] } as never);
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
    this.onOutbox();
    await this.writeHead(next.id, state);
    // Keep the previous version (a lagging head still leads to the latest); a deleted playlist
    // keeps only its tombstone, which also stops a slow writer from reviving it.
    void this.prune(next.id, Math.max(1, next.version - 3), next.version - (kind === 'deleted' ? 1 : 2)).catch(() => undefined);
    return true;
  }

  async listByOwner(ownerId: string, options: { publicOnly: boolean; first: number; after?: { createdAt: Date; id: string } }) {
    const filter = { ownerId, deleted: { $ne: true }, ...(options.publicOnly ? { visibility: 'PUBLIC' } : {}) };
    const page = options.after
      ? { $and: [filter, { $or: [{ createdAt: { $lt: options.after.createdAt } }, { createdAt: options.after.createdAt, _id: { $lt: options.after.id } }] }] }
      : filter;
    const [docs, totalCount] = await Promise.all([
      this.heads
        .find<PlaylistHeadDoc>(page as never, { projection: { items: 0 } })
        .sort({ createdAt: -1, _id: -1 })
        .limit(options.first + 1)
        .toArray(),
      this.heads.countDocuments(filter as never),
    ]);
    const playlists: PlaylistSummary[] = docs.slice(0, options.first).map((d) => {
      const { items: _none, ...rest } = toPlaylist(d._id, { ...d, items: [] });
      return { ...rest, trackCount: d.trackCount };
    });
    return { playlists, hasNextPage: docs.length > options.first, totalCount };
  }

  /** Best effort, and checked: a slower writer's older state must not stay on top. */
  private async writeHead(id: string, state: PlaylistStateDoc): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.heads.replaceOne({ _id: id as never }, state, { upsert: true });
      const head = await this.heads.findOne<PlaylistHeadDoc>({ _id: id as never }, { projection: { version: 1 } });
      if (!head || head.version >= state.version) return;
    }
  }

  /** Superseded versions: deleted now when their event is out, else left for the relay. */
  private async prune(id: string, from: number, to: number): Promise<void> {
    for (let v = from; v <= to; v++) {
      const _id = revisionId(id, v) as never;
      const doc = await this.revisions.findOne<PlaylistRevisionDoc>({ _id }, { projection: { [OUTBOX_FIELD]: 1, [DELETED_FIELD]: 1 } });
      if (!doc) continue;
      if ((doc[OUTBOX_FIELD]?.length ?? 0) === 0) await this.revisions.deleteOne({ _id });
      else if (!doc[DELETED_FIELD]) await this.revisions.updateOne({ _id }, { $set: { [DELETED_FIELD]: true } });
    }
  }
}

function stateOf(d: PlaylistStateDoc): PlaylistStateDoc {
  const { ownerId, name, description, visibility, version, items, trackCount, createdAt, updatedAt, deleted } = d;
  return {
    ownerId,
    name,
    description: description ?? null,
    visibility,
    version,
    items: items ?? [],
    trackCount,
    createdAt,
    updatedAt,
    deleted: deleted === true,
  };
}
