import { useState } from 'react';
import { useClient, useQuery } from 'urql';
import { useRouter } from '../../app/router';
import { errorText } from '../../ui/errors';
import { notify } from '../../ui/notices';
import { usePlayerEngine } from '../player/player-context';
import type { QueueTrack } from '../player/queue';
import { CREATE_PLAYLIST, MY_PLAYLISTS } from './playlist-api';
import { applyEdit } from './playlist-editor';
import { selection, useSelection } from './selection';

export interface PlaylistRef {
  id: string;
  name: string;
  version: number;
}

/** Appends tracks to a playlist (with its version; a conflict is re-based like every edit). */
export async function addToPlaylist(client: ReturnType<typeof useClient>, p: PlaylistRef, trackIds: string[]): Promise<boolean> {
  const ok = await applyEdit(client, p.id, { kind: 'add', trackIds, beforeItemId: null }, { version: p.version, itemIds: [] });
  if (ok) notify(`Added ${trackIds.length === 1 ? '1 track' : `${trackIds.length} tracks`} to “${p.name}”.`);
  return ok;
}

/** Creates a private playlist named `name` holding `trackIds`. */
export async function createWith(client: ReturnType<typeof useClient>, name: string, trackIds: string[]): Promise<string | null> {
  const r = await client.mutation(CREATE_PLAYLIST, { input: { name } }).toPromise();
  const p = r.data?.createPlaylist;
  if (!p) {
    notify(`Could not create the playlist: ${errorText(r.error)}.`, { tone: 'error' });
    return null;
  }
  if (trackIds.length) await addToPlaylist(client, p, trackIds);
  return p.id;
}

export function useMyPlaylists(pause = false): PlaylistRef[] {
  const [{ data }] = useQuery({ query: MY_PLAYLISTS, requestPolicy: 'cache-and-network', pause });
  return (data?.me.playlists.edges ?? []).map((e) => e.node);
}

/** The "Add to playlist" entries of a track menu. */
export function AddToPlaylistItems({ tracks, onDone }: { tracks: QueueTrack[]; onDone: () => void }) {
  const client = useClient();
  const playlists = useMyPlaylists();
  const ids = tracks.map((t) => t.id);
  return (
    <>
      <li role="presentation" className="menu-label">
        Add to playlist
      </li>
      {playlists.map((p) => (
        <li key={p.id}>
          <button
            onClick={() => {
              onDone();
              void addToPlaylist(client, p, ids);
            }}
          >
            {p.name}
          </button>
        </li>
      ))}
      <li>
        <button
          onClick={() => {
            onDone();
            void createWith(client, tracks.length === 1 ? tracks[0]!.title : 'New playlist', ids);
          }}
        >
          New playlist…
        </button>
      </li>
    </>
  );
}

/** Shown while tracks are selected: add them all to a playlist or the queue. */
export function SelectionBar() {
  const list = useSelection();
  const client = useClient();
  const engine = usePlayerEngine();
  const { navigate } = useRouter();
  const playlists = useMyPlaylists(list.length === 0);
  const [target, setTarget] = useState('');
  if (!list.length) return null;
  const ids = list.map((t) => t.id);
  const add = async () => {
    if (target === 'new') {
      const id = await createWith(client, 'New playlist', ids);
      if (id) {
        selection.clear();
        navigate(`/playlist/${id}`);
      }
      return;
    }
    const p = playlists.find((x) => x.id === target);
    if (p && (await addToPlaylist(client, p, ids))) selection.clear();
  };
  return (
    <section className="selection-bar" aria-label="Selected tracks">
      <strong>{list.length === 1 ? '1 track selected' : `${list.length} tracks selected`}</strong>
      <label className="visually-hidden" htmlFor="selection-target">
        Playlist to add the selected tracks to
      </label>
      <select id="selection-target" className="select" value={target} onChange={(e) => setTarget(e.target.value)}>
        <option value="">Choose a playlist…</option>
        {playlists.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
        <option value="new">New playlist</option>
      </select>
      <button className="btn primary" disabled={!target} onClick={() => void add()}>
        Add to playlist
      </button>
      <button
        className="btn"
        onClick={() => {
          engine.addToQueue(list);
          selection.clear();
        }}
      >
        Add to queue
      </button>
      <button className="btn" onClick={() => selection.clear()}>
        Clear
      </button>
    </section>
  );
}
