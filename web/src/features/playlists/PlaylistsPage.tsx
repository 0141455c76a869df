import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link, useRouter } from '../../app/router';
import { errorText } from '../../ui/errors';
import { plural } from '../../ui/format';
import { CREATE_PLAYLIST, MY_PLAYLISTS } from './playlist-api';
import './playlists.css';

/** The user's playlists, newest first, and a form to create one. */
export function PlaylistsPage() {
  const [{ data, fetching }] = useQuery({ query: MY_PLAYLISTS });
  const [created, create] = useMutation(CREATE_PLAYLIST);
  const { navigate } = useRouter();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [visibility, setVisibility] = useState<'PRIVATE' | 'PUBLIC'>('PRIVATE');
  const list = data?.me.playlists;
  const submit = async () => {
    const r = await create({ input: { name: name.trim(), description: description.trim() || null, visibility } });
    if (r.data) navigate(`/playlist/${r.data.createPlaylist.id}`);
  };
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Playlists</h1>
          <p className="subtle">{list ? plural(list.totalCount, 'playlist') : '\u00a0'}</p>
        </div>
      </div>
      <form
        className="playlist-form"
        aria-label="New playlist"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h2>New playlist</h2>
        <label className="field">
          <span>Name</span>
          <input className="input" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">
          <span>Description (optional)</span>
          <input className="input" maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <fieldset className="row">
          <legend className="visually-hidden">Who can open it</legend>
          <label>
            <input type="radio" name="visibility" checked={visibility === 'PRIVATE'} onChange={() => setVisibility('PRIVATE')} /> Private
          </label>
          <label>
            <input type="radio" name="visibility" checked={visibility === 'PUBLIC'} onChange={() => setVisibility('PUBLIC')} /> Public (anyone with the link)
          </label>
        </fieldset>
        {created.error && <p className="alert">Could not create the playlist: {errorText(created.error)}.</p>}
        <button className="btn primary" type="submit" disabled={created.fetching || !name.trim()}>
          Create playlist
        </button>
      </form>
      {!list && fetching && <div className="skeleton" style={{ height: 120 }} aria-busy="true" />}
      {list && list.edges.length > 0 && (
        <ul className="playlist-list" aria-label="Your playlists">
          {list.edges.map(({ node: p }) => (
            <li key={p.id}>
              <Link to={`/playlist/${p.id}`}>{p.name}</Link>
              <span className="subtle">
                {plural(p.trackCount, 'track')} · {p.visibility === 'PUBLIC' ? 'Public' : 'Private'}
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
