import { useState } from 'react';
import { useClient } from 'urql';
import { useRouter } from '../../app/router';
import { useSession } from '../auth/session-context';
import { errorText } from '../../ui/errors';
import { PlaylistIcon } from '../../ui/more-icons';
import { notify } from '../../ui/notices';
import { DELETE_PLAYLIST, type PlaylistData } from './playlist-api';
import type { PlaylistEdit } from './playlist-edits';

/** Name, description, owner and visibility; for the owner: edit, public switch, export, delete. */
export function PlaylistHeader({
  playlist,
  canEdit,
  onEdit,
  facts,
}: {
  playlist: PlaylistData;
  canEdit: boolean;
  onEdit: (e: PlaylistEdit) => Promise<boolean>;
  facts: string;
}) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [name, setName] = useState(playlist.name);
  const [description, setDescription] = useState(playlist.description ?? '');
  // The form starts from the playlist as it is now (renamed elsewhere meanwhile, say), every time
  // it opens; Cancel drops what was typed.
  const openForm = () => {
    setName(playlist.name);
    setDescription(playlist.description ?? '');
    setEditing(true);
  };
  const closeForm = () => {
    setEditing(false);
    setName(playlist.name);
    setDescription(playlist.description ?? '');
  };
  const client = useClient();
  const session = useSession();
  const { navigate } = useRouter();
  const save = async () => {
    const input: { name?: string; description?: string } = {};
    if (name.trim() !== playlist.name) input.name = name.trim();
    if (description.trim() !== (playlist.description ?? '')) input.description = description.trim();
    if (Object.keys(input).length && !(await onEdit({ kind: 'update', input }))) return;
    setEditing(false);
  };
  const exportM3u8 = async () => {
    const token = await session.token();
    const r = await fetch(`/playlists/${playlist.id}.m3u8`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (!r.ok) {
      notify(`Could not export the playlist (${r.status}).`, { tone: 'error' });
      return;
    }
    const url = URL.createObjectURL(await r.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = `${playlist.name}.m3u8`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  const remove = async () => {
    const r = await client.mutation(DELETE_PLAYLIST, { id: playlist.id }).toPromise();
    if (r.error) {
      notify(`Could not delete the playlist: ${errorText(r.error)}.`, { tone: 'error' });
      return;
    }
    notify(`Deleted “${playlist.name}”.`);
    navigate('/lists', { replace: true });
  };
  return (
    <>
      <header className="hero">
        <div className="cover playlist-cover" aria-hidden="true">
          <PlaylistIcon />
        </div>
        <div>
          <div className="kind">{playlist.visibility === 'PUBLIC' ? 'Public playlist' : 'Private playlist'}</div>
          <h1>{playlist.name}</h1>
          {playlist.description && <p className="description">{playlist.description}</p>}
          <p className="facts">
            By {playlist.owner.displayName} · {facts}
          </p>
        </div>
      </header>
      <div className="playlist-tools">
        <button className="btn" onClick={() => void exportM3u8()}>
          Export M3U8
        </button>
        {canEdit && (
          <>
            <button className="btn" aria-expanded={editing} onClick={editing ? closeForm : openForm}>
              Edit details
            </button>
            <label className="switch">
              <input
                type="checkbox"
                role="switch"
                checked={playlist.visibility === 'PUBLIC'}
                onChange={(e) => void onEdit({ kind: 'update', input: { visibility: e.target.checked ? 'PUBLIC' : 'PRIVATE' } })}
              />
              Public
            </label>
            {confirming ? (
              <span className="confirm" role="group" aria-label="Confirm deletion">
                Delete “{playlist.name}” for good?
                <button className="btn danger" onClick={() => void remove()}>
                  Delete
                </button>
                <button className="btn" onClick={() => setConfirming(false)}>
                  Keep it
                </button>
              </span>
            ) : (
              <button className="btn" onClick={() => setConfirming(true)}>
                Delete playlist
              </button>
            )}
          </>
        )}
      </div>
      {editing && (
        <form
          className="playlist-form"
          aria-label="Playlist details"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <label className="field">
            <span>Name</span>
            <input className="input" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <label className="field">
            <span>Description</span>
            <textarea className="input" maxLength={2000} rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
          </label>
          <div className="row">
            <button className="btn primary" type="submit">
              Save
            </button>
            <button className="btn" type="button" onClick={closeForm}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </>
  );
}
