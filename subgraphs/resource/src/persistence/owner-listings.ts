import type { Collection } from 'mongoose';
import type { Logger } from '@ytm/logger';
import type { PlaylistSummary } from '../domain/playlist.js';
import type { PlaylistHeadDoc } from './playlist.model.js';
import { groupBy, ReadModel } from './read-model.js';
import type { ReadModelIntents } from './read-model-intents.js';

export const OWNED_MODEL = 'owned';

export function toSummary(d: PlaylistHeadDoc): PlaylistSummary {
  return {
    id: d._id,
    ownerId: d.ownerId,
    name: d.name,
    description: d.description ?? null,
    visibility: d.visibility,
    version: d.version,
    trackCount: d.trackCount,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

/** Newest first, then by id: the listing's order and its keyset. */
export const newestFirst = (a: PlaylistSummary, b: PlaylistSummary) =>
  b.createdAt.getTime() - a.createdAt.getTime() || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0);

const LIVE = { deleted: { $ne: true } };

/**
 * Each owner's playlists (their heads' summaries, newest first) as a read model (`read_models`,
 * `owned:<ownerId>#<version>`, see ReadModel): a listing reads it by `_id`, never the heads
 * collection `playlists` (a filter on `ownerId` reads every head there). After each head write
 * the owner's listing takes what that head says, under an intent the sweep finishes if the writer
 * dies (ReadModelIntents); `repair` is what the sweep runs first (brings the head up to date).
 */
export class OwnerListings {
  private readonly model: ReadModel<PlaylistSummary[]>;

  constructor(
    private readonly heads: Collection,
    readModels: Collection,
    private readonly intents: ReadModelIntents,
    repair: (playlistId: string) => Promise<unknown>,
    logger?: Logger,
  ) {
    this.model = new ReadModel<PlaylistSummary[]>(
      readModels,
      OWNED_MODEL,
      {
        all: async () => {
          const byOwner = await groupBy(heads.find<PlaylistHeadDoc>(LIVE as never), (h) => h.ownerId, toSummary);
          for (const listing of byOwner.values()) listing.sort(newestFirst);
          return byOwner;
        },
        one: async (ownerId) => (await heads.find<PlaylistHeadDoc>({ ownerId, ...LIVE } as never).toArray()).map(toSummary).sort(newestFirst),
        empty: () => [],
      },
      { logger },
    );
    intents.register(OWNED_MODEL, async (ownerId, playlistId) => {
      await repair(playlistId);
      await this.reconcile(ownerId, playlistId);
    });
  }

  /** The owner's playlists, newest first; one read by `_id` while unchanged. */
  listing(ownerId: string): Promise<PlaylistSummary[]> {
    return this.model.read(ownerId);
  }

  /** `write` commits a version of the owner's playlist and writes its head (false: it lost the commit); then the listing follows. */
  changing(ownerId: string, playlistId: string, write: () => Promise<boolean>): Promise<boolean> {
    return this.intents.around(OWNED_MODEL, ownerId, playlistId, async () => {
      const committed = await write();
      if (committed) await this.reconcile(ownerId, playlistId);
      return committed;
    });
  }

  /** The owner's listing takes what the playlist's head says now (read after the listing's newest version). */
  async reconcile(ownerId: string, playlistId: string): Promise<void> {
    await this.model.update(ownerId, async (base) => {
      const head = await this.heads.findOne<PlaylistHeadDoc>({ _id: playlistId as never });
      const next = base.filter((p) => p.id !== playlistId);
      if (head && !head.deleted && head.ownerId === ownerId) next.push(toSummary(head));
      return next.sort(newestFirst);
    });
  }

  /** Listings of owners with playlists from before the listings existed: once per start, from one scan of the heads. */
  backfill(): Promise<void> {
    return this.model.backfill();
  }
}
