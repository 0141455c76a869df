/**
 * A user's change to a playlist, and what becomes of it when the playlist changed elsewhere first
 * (the API answered CONFLICT to its expectedVersion): re-based on the fresh playlist when it still
 * makes sense, or dropped with the reason to tell the user. Pure: unit-tested in test/.
 */
export type PlaylistEdit =
  | { kind: 'update'; input: { name?: string; description?: string; visibility?: 'PUBLIC' | 'PRIVATE' } }
  /** `beforeItemId`: the entry the tracks go in front of (null: at the end). */
  | { kind: 'add'; trackIds: string[]; beforeItemId: string | null }
  | { kind: 'remove'; itemIds: string[] }
  /** `afterItemId`: the entry it goes behind (null: to the top). */
  | { kind: 'move'; itemId: string; afterItemId: string | null };

export interface PlaylistSnapshot {
  version: number;
  itemIds: string[];
}

export type Rebased = { edit: PlaylistEdit } | { dropped: string };

/** The API's arguments for an edit against a snapshot (positions from anchors). */
export function argumentsOf(edit: PlaylistEdit, s: PlaylistSnapshot): Record<string, unknown> {
  switch (edit.kind) {
    case 'update':
      return { input: edit.input };
    case 'add': {
      const at = edit.beforeItemId === null ? -1 : s.itemIds.indexOf(edit.beforeItemId);
      return { trackIds: edit.trackIds, position: at < 0 ? null : at };
    }
    case 'remove':
      return { itemIds: edit.itemIds };
    case 'move':
      return { itemId: edit.itemId, toPosition: movePosition(s.itemIds, edit.itemId, edit.afterItemId) };
  }
}

/** The final index of `itemId` when it goes behind `afterItemId` (null: first). */
export function movePosition(itemIds: readonly string[], itemId: string, afterItemId: string | null): number {
  const rest = itemIds.filter((i) => i !== itemId);
  if (afterItemId === null) return 0;
  const at = rest.indexOf(afterItemId);
  return at < 0 ? rest.length : at + 1;
}

/** The anchor of a move to `toPosition` (the entry it lands behind in the list without it). */
export function anchorOf(itemIds: readonly string[], itemId: string, toPosition: number): string | null {
  const rest = itemIds.filter((i) => i !== itemId);
  return toPosition <= 0 ? null : (rest[Math.min(toPosition, rest.length) - 1] ?? null);
}

export function rebase(edit: PlaylistEdit, fresh: PlaylistSnapshot): Rebased {
  const has = new Set(fresh.itemIds);
  switch (edit.kind) {
    case 'update':
      return { edit };
    case 'add':
      // Still wanted: in front of the same entry, or at the end when that entry is gone.
      return { edit: { ...edit, beforeItemId: edit.beforeItemId && has.has(edit.beforeItemId) ? edit.beforeItemId : null } };
    case 'remove': {
      const left = edit.itemIds.filter((i) => has.has(i));
      if (!left.length) return { dropped: 'the entries you removed had already been removed' };
      return { edit: { ...edit, itemIds: left } };
    }
    case 'move':
      if (!has.has(edit.itemId)) return { dropped: 'the entry you moved has been removed from the playlist' };
      if (edit.afterItemId !== null && !has.has(edit.afterItemId)) return { dropped: 'the entry you placed it behind has been removed from the playlist' };
      return { edit };
  }
}

/** "rename the playlist", "add 3 tracks", ... for messages. */
export function describeEdit(edit: PlaylistEdit): string {
  switch (edit.kind) {
    case 'update':
      if (edit.input.visibility) return edit.input.visibility === 'PUBLIC' ? 'make the playlist public' : 'make the playlist private';
      return edit.input.name !== undefined ? 'rename the playlist' : 'change the description';
    case 'add':
      return edit.trackIds.length === 1 ? 'add the track' : `add ${edit.trackIds.length} tracks`;
    case 'remove':
      return edit.itemIds.length === 1 ? 'remove the entry' : `remove ${edit.itemIds.length} entries`;
    case 'move':
      return 'move the entry';
  }
}
