import { useSyncExternalStore, type DragEvent } from 'react';
import type { QueueTrack } from '../player/queue';

/** Tracks picked with the rows' checkboxes, across pages, until added somewhere or cleared. */
let selected: QueueTrack[] = [];
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());
const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

export const selection = {
  get: () => selected,
  has: (id: string) => selected.some((t) => t.id === id),
  toggle(track: QueueTrack) {
    selected = selection.has(track.id) ? selected.filter((t) => t.id !== track.id) : [...selected, track];
    emit();
  },
  clear() {
    if (!selected.length) return;
    selected = [];
    emit();
  },
};

export function useSelection(): QueueTrack[] {
  return useSyncExternalStore(subscribe, selection.get);
}

/** The drag type of tracks (JSON array of track IDs) and of a playlist entry (its item ID). */
export const TRACKS_TYPE = 'application/x-ytm-tracks';
export const ITEM_TYPE = 'application/x-ytm-playlist-item';

/** Drag a track row: the selection when the row is part of it, else the track alone. */
export function trackDragProps(track: QueueTrack) {
  return {
    draggable: true,
    onDragStart(e: DragEvent) {
      const ids = selection.has(track.id) ? selection.get().map((t) => t.id) : [track.id];
      e.dataTransfer.setData(TRACKS_TYPE, JSON.stringify(ids));
      e.dataTransfer.setData('text/plain', ids.length === 1 ? track.title : `${ids.length} tracks`);
      e.dataTransfer.effectAllowed = 'copy';
    },
  };
}

/** Track IDs carried by a drop, or null when it carries none. */
export function droppedTracks(e: DragEvent): string[] | null {
  const raw = e.dataTransfer.getData(TRACKS_TYPE);
  if (!raw) return null;
  try {
    const ids = JSON.parse(raw) as unknown;
    return Array.isArray(ids) && ids.every((i) => typeof i === 'string') ? ids : null;
  } catch {
    return null;
  }
}

export function SelectBox({ track }: { track: QueueTrack }) {
  const list = useSelection();
  const on = list.some((t) => t.id === track.id);
  return (
    <input
      type="checkbox"
      className={`select-box${list.length ? ' any' : ''}`}
      aria-label={`Select ${track.title}`}
      checked={on}
      onChange={() => selection.toggle(track)}
    />
  );
}
