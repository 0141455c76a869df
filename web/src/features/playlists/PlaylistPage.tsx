import { useEffect, useMemo, useRef, useState } from 'react';
import { useClient, useQuery, useSubscription } from 'urql';
import { readFragment } from '../../graphql';
import { useUser } from '../auth/session-context';
import { plural, longDuration } from '../../ui/format';
import { PlayIcon } from '../../ui/icons';
import { notify } from '../../ui/notices';
import { toQueueTrack } from '../library/track-fields';
import { usePlayerEngine } from '../player/player-context';
import type { QueueTrack } from '../player/queue';
import { PLAYLIST, PLAYLIST_CHANGED, PlaylistDetail } from './playlist-api';
import { editQueue } from './edit-queue';
import { applyEdit } from './playlist-editor';
import { anchorOf, type PlaylistEdit, type PlaylistSnapshot } from './playlist-edits';
import { PlaylistHeader } from './PlaylistHeader';
import { PlaylistItems, type Entry } from './PlaylistItems';
import { usePlaylistRest } from './use-playlist-rest';
import { useInfinite } from '../library/use-infinite';
import './playlists.css';

/**
 * One playlist: its owner edits it (details, visibility, entries by drag and drop or keyboard);
 * anyone else who may read it (a public one, by link) plays it. Changes made elsewhere arrive over
 * the playlistChanged subscription; a playlist that turns private or is deleted leaves the screen.
 */
export function PlaylistPage({ id }: { id: string }) {
  const user = useUser();
  const client = useClient();
  const engine = usePlayerEngine();
  const [{ data, fetching, error }, reload] = useQuery({ query: PLAYLIST, variables: { id } });
  const [gone, setGone] = useState(false);
  const [live] = useSubscription({ query: PLAYLIST_CHANGED, variables: { id }, pause: gone });
  useEffect(() => {
    if (live.error || live.data?.playlistChanged.kind === 'DELETED') {
      setGone(true);
      reload({ requestPolicy: 'network-only' });
    }
  }, [live.error, live.data, reload]);
  const playlist = data?.playlist ? readFragment(PlaylistDetail, data.playlist) : null;
  // The first 100 entries come with the playlist; the rest as the listener scrolls to them.
  const rest = usePlaylistRest(id, playlist);
  const merged: Entry[] = useMemo(() => {
    const head = playlist?.items.edges ?? [];
    const seen = new Set(head.map((e) => e.node.id));
    return [...head, ...rest.edges.filter((e) => !seen.has(e.node.id))].map((e) => ({
      id: e.node.id,
      track: e.node.track ? toQueueTrack(e.node.track) : null,
    }));
  }, [playlist, rest.edges]);
  // A new version's first page with the rest of an older one can miss an entry (one moved into the
  // first page pushes another out of it) or show one twice: until the rest is reloaded, the last
  // whole list stays, with its version, so an edit meanwhile is sent against what is on screen.
  const whole = useRef<{ id: string; version: number; entries: Entry[] } | null>(null);
  if (playlist && !rest.stale) whole.current = { id, version: playlist.version, entries: merged };
  const held = rest.stale && whole.current?.id === id ? whole.current : null;
  const entries = held ? held.entries : merged;
  const sentinel = useInfinite(rest.hasMore && !rest.loading ? rest.loadMore : undefined);
  // The playlist as shown now (its version, or the held list's): what each edit is sent against
  // when its turn comes, one at a time, so an Undo clicked later carries the version after the
  // removal, and an edit made before the previous one was answered the version that one produced.
  const version = held ? held.version : playlist?.version;
  const shownNow = useRef<PlaylistSnapshot>({ version: 0, itemIds: [] });
  if (version !== undefined) shownNow.current = { version, itemIds: entries.map((e) => e.id) };
  const edits = useMemo(
    () =>
      editQueue(
        (e, s) => applyEdit(client, id, e, s),
        () => shownNow.current,
      ),
    [client, id],
  );
  useEffect(() => edits.rendered(), [edits, version]);
  // The order a move shows at once. It stays after the server's answer until the whole list shows
  // that version (a longer playlist's rest is reloaded after the answer), so the entry does not jump
  // back for a moment.
  const [pending, setPending] = useState<{ order: string[]; answered: boolean } | null>(null);
  useEffect(() => {
    if (pending?.answered && !rest.stale) setPending(null);
  }, [pending, rest.stale]);
  if (!playlist) {
    if (fetching && !gone) return <div className="skeleton" style={{ height: 232, marginTop: 16 }} aria-busy="true" />;
    return (
      <section className="empty-state">
        <h2>This playlist is not available</h2>
        <p>{gone ? 'It was deleted or made private by its owner.' : error ? 'The server could not be reached.' : 'It does not exist, or it is private.'}</p>
      </section>
    );
  }
  const canEdit = playlist.owner.id === user.id || user.role === 'ADMIN';
  const edit = (e: PlaylistEdit) => edits.edit(e);
  const byId = new Map(entries.map((e) => [e.id, e]));
  const shown = pending ? pending.order.flatMap((i) => byId.get(i) ?? []) : entries;
  const playable = shown.filter((e): e is Entry & { track: QueueTrack } => e.track !== null);
  const move = async (itemId: string, toPosition: number) => {
    const ids = shown.map((e) => e.id);
    const from = ids.indexOf(itemId);
    if (from < 0 || from === toPosition || toPosition < 0 || toPosition >= ids.length) return;
    const next = ids.filter((i) => i !== itemId);
    next.splice(toPosition, 0, itemId);
    setPending({ order: next, answered: false });
    await edit({ kind: 'move', itemId, afterItemId: anchorOf(ids, itemId, toPosition) });
    setPending((p) => (p?.order === next ? { order: next, answered: true } : p));
  };
  const remove = async (itemIds: string[]) => {
    const ids = entries.map((e) => e.id);
    const removed = entries.filter((e) => itemIds.includes(e.id));
    const firstAt = Math.min(...removed.map((e) => ids.indexOf(e.id)));
    const after = ids.slice(firstAt).find((i) => !itemIds.includes(i)) ?? null;
    if (!(await edit({ kind: 'remove', itemIds }))) return;
    const trackIds = removed.flatMap((e) => (e.track ? [e.track.id] : []));
    notify(removed.length === 1 ? `Removed “${removed[0]!.track?.title ?? 'entry'}”.` : `Removed ${removed.length} entries.`, {
      action: trackIds.length
        ? {
            label: 'Undo',
            run: () => void edit({ kind: 'add', trackIds, beforeItemId: after }),
          }
        : undefined,
    });
  };
  const add = (trackIds: string[], beforeItemId: string | null) => void edit({ kind: 'add', trackIds, beforeItemId });
  const total = playable.reduce((s, e) => s + e.track.duration, 0);
  return (
    <>
      <PlaylistHeader
        playlist={playlist}
        canEdit={canEdit}
        onEdit={edit}
        facts={`${plural(playlist.trackCount, 'track')}${rest.hasMore ? '' : ` · ${longDuration(total)}`}`}
      />
      <div className="actions">
        <button
          className="play-fab"
          aria-label={`Play ${playlist.name}`}
          disabled={!playable.length}
          onClick={() =>
            void engine.playTracks(
              playable.map((e) => e.track),
              0,
            )
          }
        >
          <PlayIcon />
        </button>
        <button className="btn" disabled={!playable.length} onClick={() => engine.addToQueue(playable.map((e) => e.track))}>
          Add to queue
        </button>
      </div>
      {!canEdit && <p className="subtle">A playlist by {playlist.owner.displayName}: you can play it, not change it.</p>}
      <PlaylistItems
        entries={shown}
        total={playlist.trackCount}
        canEdit={canEdit}
        onPlay={(i) => {
          const at = playable.findIndex((e) => e.id === shown[i]?.id);
          if (at >= 0)
            void engine.playTracks(
              playable.map((e) => e.track),
              at,
            );
        }}
        onMove={(itemId, to) => void move(itemId, to)}
        onRemove={(ids) => void remove(ids)}
        onAdd={add}
      />
      {rest.hasMore && (
        <div className="load-more" ref={sentinel}>
          <button className="btn" disabled={rest.loading} onClick={rest.loadMore}>
            {rest.loading ? 'Loading entries…' : `Show more entries (${entries.length} of ${playlist.trackCount} shown)`}
          </button>
        </div>
      )}
    </>
  );
}
