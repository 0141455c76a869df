import { BadUserInputError, DomainError } from '@ytm/errors';
import { canReadPlaylist, type PlaylistVisibility, type Viewer } from '@ytm/auth';
import { decodeCursor, encodeCursor, pageSize, type Page, type PageArgs } from '@ytm/pagination';

export type { PlaylistVisibility };

export const MAX_PLAYLIST_ITEMS = 10_000;
export const MAX_NAME_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 2_000;
/** Library's track IDs are opaque; this bounds them to something safe to store and echo. */
export const TRACK_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const ITEM_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** One entry; the same track may appear several times, each with its own stable `id`. */
export interface PlaylistItem {
  id: string;
  trackId: string;
  addedAt: Date;
}

export interface Playlist {
  id: string;
  ownerId: string;
  name: string;
  description: string | null;
  visibility: PlaylistVisibility;
  /** 1 at creation, +1 on every change. */
  version: number;
  items: PlaylistItem[];
  createdAt: Date;
  updatedAt: Date;
}

/** An entry with its 0-based place in the playlist. */
export type PositionedItem = PlaylistItem & { position: number };

/** A playlist without its items (listings). */
export type PlaylistSummary = Omit<Playlist, 'items'> & { trackCount: number };

/** What a Playlist field resolves from: a whole playlist (queries, mutations) or a listing's summary. */
export type PlaylistView = Playlist | PlaylistSummary;

/** PRIVATE: owner and ADMIN only (to anyone else it does not exist); PUBLIC: everyone signed in (one rule, shared with the router's subscription fan-out). */
export const canRead: (viewer: Viewer, p: Pick<Playlist, 'ownerId' | 'visibility'>) => boolean = canReadPlaylist;

export function canWrite(viewer: Viewer, p: Pick<Playlist, 'ownerId'>): boolean {
  return p.ownerId === viewer.id || viewer.role === 'ADMIN';
}

export function normaliseName(raw: string): string {
  const name = raw.trim();
  const length = [...name].length;
  if (length < 1 || length > MAX_NAME_LENGTH) throw new BadUserInputError(`Playlist name must have 1 to ${MAX_NAME_LENGTH} characters`, 'name');
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new BadUserInputError('Playlist name may not contain control characters', 'name');
  return name;
}

/** Empty means none. Line breaks and tabs are fine in a description. */
export function normaliseDescription(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const description = raw.trim();
  if (description === '') return null;
  if ([...description].length > MAX_DESCRIPTION_LENGTH)
    throw new BadUserInputError(`Description must have at most ${MAX_DESCRIPTION_LENGTH} characters`, 'description');
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(description))
    throw new BadUserInputError('Description may not contain control characters', 'description');
  return description;
}

export function checkTrackIds(trackIds: readonly string[]): void {
  if (trackIds.length === 0) throw new BadUserInputError('trackIds must not be empty', 'trackIds');
  if (trackIds.length > MAX_PLAYLIST_ITEMS) throw new BadUserInputError(`A playlist holds at most ${MAX_PLAYLIST_ITEMS} items`, 'trackIds');
  const malformed = trackIds.filter((id) => !TRACK_ID.test(id));
  if (malformed.length > 0) {
    throw new DomainError('BAD_USER_INPUT', `${malformed.length} track ID(s) are malformed`, {
      field: 'trackIds',
      malformedTrackIds: malformed.slice(0, 20).map((id) => id.slice(0, 140)),
    });
  }
}

export function checkItemIds(itemIds: readonly string[]): void {
  if (itemIds.length === 0) throw new BadUserInputError('itemIds must not be empty', 'itemIds');
  if (itemIds.length > MAX_PLAYLIST_ITEMS) throw new BadUserInputError(`At most ${MAX_PLAYLIST_ITEMS} item IDs at once`, 'itemIds');
  if (itemIds.some((id) => !ITEM_ID.test(id))) throw new BadUserInputError('itemIds contains a malformed item ID', 'itemIds');
}

/** Inserts new entries at `position` (default: the end); the whole batch or nothing. */
export function insertItems(items: readonly PlaylistItem[], added: readonly PlaylistItem[], position: number | undefined): PlaylistItem[] {
  if (items.length + added.length > MAX_PLAYLIST_ITEMS) {
    throw new DomainError(
      'BAD_USER_INPUT',
      `A playlist holds at most ${MAX_PLAYLIST_ITEMS} items; it has ${items.length} and ${added.length} more would not fit`,
      {
        field: 'trackIds',
        limit: MAX_PLAYLIST_ITEMS,
        current: items.length,
      },
    );
  }
  const at = position ?? items.length;
  if (!Number.isInteger(at) || at < 0 || at > items.length) throw new BadUserInputError(`position must be between 0 and ${items.length}`, 'position');
  return [...items.slice(0, at), ...added, ...items.slice(at)];
}

/** Removes the given entries; unknown item IDs fail the whole call. */
export function removeItems(items: readonly PlaylistItem[], itemIds: readonly string[]): PlaylistItem[] {
  const remove = new Set(itemIds);
  const known = new Set(items.map((i) => i.id));
  const unknown = [...remove].filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new DomainError('BAD_USER_INPUT', `${unknown.length} item ID(s) are not in this playlist`, {
      field: 'itemIds',
      unknownItemIds: unknown.slice(0, 20),
    });
  }
  return items.filter((i) => !remove.has(i.id));
}

/** Moves one entry so that it ends up at index `toPosition`. */
export function moveItem(items: readonly PlaylistItem[], itemId: string, toPosition: number): PlaylistItem[] {
  const from = items.findIndex((i) => i.id === itemId);
  if (from < 0) throw new BadUserInputError('itemId is not in this playlist', 'itemId');
  if (!Number.isInteger(toPosition) || toPosition < 0 || toPosition >= items.length) {
    throw new BadUserInputError(`toPosition must be between 0 and ${items.length - 1}`, 'toPosition');
  }
  const rest = items.filter((_, i) => i !== from);
  return [...rest.slice(0, toPosition), items[from]!, ...rest.slice(toPosition)];
}

/** Items in playlist order (`first` defaults to 100 here). A cursor remembers the item and its position. */
export function itemPage(playlistId: string, items: readonly PlaylistItem[], args: PageArgs): Page<PositionedItem> {
  const first = pageSize(args.first, 100);
  const scope = `items:${playlistId}`;
  let start = 0;
  if (args.after) {
    const [itemId, position] = decodeCursor(scope, args.after, ['string', 'number']) as [string, number];
    const at = items.findIndex((i) => i.id === itemId);
    // The item was removed meanwhile: continue where it was.
    start = at >= 0 ? at + 1 : Math.min(Math.max(0, Math.floor(position)), items.length);
  }
  const page = items.slice(start, start + first);
  return {
    edges: page.map((item, i) => ({ cursor: encodeCursor(scope, [item.id, start + i]), node: { ...item, position: start + i } })),
    hasNextPage: start + page.length < items.length,
    totalCount: items.length,
  };
}
