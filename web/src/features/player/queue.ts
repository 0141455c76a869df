import type { SourceFormat } from './formats';

/** The play queue as plain data and pure functions: what the player bar, the queue page and storage share. */
export interface QueueTrack {
  id: string;
  title: string;
  artists: Array<{ id: string; name: string }>;
  album: { id: string; title: string } | null;
  duration: number;
  /** A same-origin image path (`/art/<id>`), sized by the caller. */
  cover: string | null;
  /** The file's type and codec, to choose a format the browser plays (absent in older stored queues). */
  format?: SourceFormat | null;
}

export interface QueueItem {
  /** Unique per entry: the same track may be queued twice. */
  key: string;
  track: QueueTrack;
}

export type Repeat = 'off' | 'all' | 'one';

export interface QueueState {
  items: QueueItem[];
  /** The current entry, -1 when the queue is empty. */
  index: number;
  shuffle: boolean;
  repeat: Repeat;
  /** While shuffled: the keys in their order before shuffling, to restore it. */
  unshuffled: string[] | null;
}

export const EMPTY_QUEUE: QueueState = { items: [], index: -1, shuffle: false, repeat: 'off', unshuffled: null };

let counter = 0;
const keyOf = () => `${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
const itemsOf = (tracks: QueueTrack[]): QueueItem[] => tracks.map((track) => ({ key: keyOf(), track }));

export function current(q: QueueState): QueueItem | undefined {
  return q.items[q.index];
}

/** Replaces the queue with `tracks`, starting at `start` (shuffled after it when shuffle is on). */
export function playList(q: QueueState, tracks: QueueTrack[], start = 0, rng = Math.random): QueueState {
  const items = itemsOf(tracks);
  const first = Math.min(Math.max(start, 0), items.length - 1);
  const next: QueueState = { ...q, items, index: items.length ? first : -1, unshuffled: null };
  return q.shuffle ? shuffleUpcoming(next, rng) : next;
}

/** Inserts right after the current entry. */
export function playNext(q: QueueState, tracks: QueueTrack[]): QueueState {
  const at = q.index + 1;
  const added = itemsOf(tracks);
  const items = [...q.items.slice(0, at), ...added, ...q.items.slice(at)];
  return { ...q, items, index: q.index === -1 ? 0 : q.index, unshuffled: q.unshuffled ? [...q.unshuffled, ...added.map((i) => i.key)] : null };
}

export function addToQueue(q: QueueState, tracks: QueueTrack[]): QueueState {
  const added = itemsOf(tracks);
  return {
    ...q,
    items: [...q.items, ...added],
    index: q.index === -1 && added.length ? 0 : q.index,
    unshuffled: q.unshuffled ? [...q.unshuffled, ...added.map((i) => i.key)] : null,
  };
}

/** Moves an entry; the current entry stays current wherever it goes. */
export function move(q: QueueState, from: number, to: number): QueueState {
  if (from === to || from < 0 || to < 0 || from >= q.items.length || to >= q.items.length) return q;
  const items = [...q.items];
  const [moved] = items.splice(from, 1);
  items.splice(to, 0, moved!);
  const currentKey = q.items[q.index]?.key;
  return { ...q, items, index: items.findIndex((i) => i.key === currentKey) };
}

export function remove(q: QueueState, key: string): QueueState {
  const at = q.items.findIndex((i) => i.key === key);
  if (at === -1) return q;
  const items = q.items.filter((i) => i.key !== key);
  let index = q.index;
  if (at < q.index) index -= 1;
  else if (at === q.index) index = Math.min(q.index, items.length - 1);
  return { ...q, items, index, unshuffled: q.unshuffled?.filter((k) => k !== key) ?? null };
}

/** Clears everything but the current entry. */
export function clearUpcoming(q: QueueState): QueueState {
  const cur = current(q);
  return { ...q, items: cur ? [cur] : [], index: cur ? 0 : -1, unshuffled: null };
}

export function jump(q: QueueState, index: number): QueueState {
  return index >= 0 && index < q.items.length ? { ...q, index } : q;
}

/** The entry after the current one when it ends by itself (`auto`) or when the user skips. */
export function nextIndex(q: QueueState, auto: boolean): number | null {
  if (q.index === -1) return null;
  if (auto && q.repeat === 'one') return q.index;
  if (q.index + 1 < q.items.length) return q.index + 1;
  return q.repeat === 'off' ? null : 0;
}

export function previousIndex(q: QueueState): number | null {
  if (q.index > 0) return q.index - 1;
  return q.repeat === 'all' && q.items.length ? q.items.length - 1 : null;
}

export function cycleRepeat(q: QueueState): QueueState {
  const order: Repeat[] = ['off', 'all', 'one'];
  return { ...q, repeat: order[(order.indexOf(q.repeat) + 1) % order.length]! };
}

/** Shuffle on: the entries after the current one in random order; off: the order before it. */
export function setShuffle(q: QueueState, on: boolean, rng = Math.random): QueueState {
  if (on === q.shuffle) return q;
  if (on) return shuffleUpcoming({ ...q, shuffle: true }, rng);
  if (!q.unshuffled) return { ...q, shuffle: false };
  const byKey = new Map(q.items.map((i) => [i.key, i]));
  const items = q.unshuffled.map((k) => byKey.get(k)).filter((i): i is QueueItem => i !== undefined);
  for (const i of q.items) if (!q.unshuffled.includes(i.key)) items.push(i);
  const currentKey = current(q)?.key;
  return { ...q, shuffle: false, unshuffled: null, items, index: items.findIndex((i) => i.key === currentKey) };
}

function shuffleUpcoming(q: QueueState, rng: () => number): QueueState {
  const head = q.items.slice(0, q.index + 1);
  const tail = q.items.slice(q.index + 1);
  for (let i = tail.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [tail[i], tail[j]] = [tail[j]!, tail[i]!];
  }
  return { ...q, shuffle: true, unshuffled: q.unshuffled ?? q.items.map((i) => i.key), items: [...head, ...tail] };
}

/** Restores a stored queue, or the empty one when what was stored does not fit. */
export function parseStored(raw: string | null): QueueState {
  if (!raw) return EMPTY_QUEUE;
  try {
    const q = JSON.parse(raw) as QueueState;
    if (!Array.isArray(q.items) || typeof q.index !== 'number' || q.index >= q.items.length) return EMPTY_QUEUE;
    if (!q.items.every((i) => typeof i.key === 'string' && typeof i.track?.id === 'string')) return EMPTY_QUEUE;
    return {
      items: q.items,
      index: q.items.length ? Math.max(q.index, 0) : -1,
      shuffle: Boolean(q.shuffle),
      repeat: ['off', 'all', 'one'].includes(q.repeat) ? q.repeat : 'off',
      unshuffled: Array.isArray(q.unshuffled) ? q.unshuffled : null,
    };
  } catch {
    return EMPTY_QUEUE;
  }
}
