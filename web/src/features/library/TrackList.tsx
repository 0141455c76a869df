import { Fragment, useEffect, useRef, useState, type CSSProperties } from 'react';
import { Link } from '../../app/router';
import { Cover } from '../../ui/Cover';
import { clock } from '../../ui/format';
import { MoreIcon, PlayIcon } from '../../ui/icons';
import { LikeButton } from '../likes/LikeButton';
import '../likes/likes.css';
import { AddToPlaylistItems } from '../playlists/add-to-playlist';
import { SelectBox, trackDragProps } from '../playlists/selection';
import { usePlayer, usePlayerEngine } from '../player/player-context';
import { current, type QueueTrack } from '../player/queue';

export function Artists({ artists }: { artists: QueueTrack['artists'] }) {
  return (
    <>
      {artists.map((a, i) => (
        // By position: a recycled row keeps its links and only changes their text and address.
        <Fragment key={i}>
          {i > 0 && ', '}
          <Link to={`/artists/${a.id}`}>{a.name}</Link>
        </Fragment>
      ))}
    </>
  );
}

/** "Play next" / "Add to queue" for one track. */
export function TrackMenu({ track }: { track: QueueTrack }) {
  const engine = usePlayerEngine();
  // Open for one track: a recycled row showing another track shows its menu closed.
  const [openFor, setOpenFor] = useState<string | null>(null);
  const open = openFor === track.id;
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !ref.current?.contains(e.target as Node)) setOpenFor(null);
    };
    addEventListener('pointerdown', close);
    addEventListener('keydown', close);
    return () => {
      removeEventListener('pointerdown', close);
      removeEventListener('keydown', close);
    };
  }, [open]);
  const act = (fn: () => void) => () => {
    fn();
    setOpenFor(null);
  };
  return (
    <div className="menu" ref={ref}>
      <button
        className="icon-btn"
        aria-label={`More for ${track.title}`}
        aria-expanded={open}
        aria-haspopup="true"
        onClick={() => setOpenFor(open ? null : track.id)}
      >
        <MoreIcon />
      </button>
      {open && (
        <ul>
          <li>
            <button onClick={act(() => engine.playNext([track]))}>Play next</button>
          </li>
          <li>
            <button onClick={act(() => engine.addToQueue([track]))}>Add to queue</button>
          </li>
          <AddToPlaylistItems tracks={[track]} onDone={() => setOpenFor(null)} />
        </ul>
      )}
    </div>
  );
}

/**
 * Rows of tracks: number (or cover), title and artists, album, time, menu. Activating a row plays
 * the list from there.
 */
export function TrackList({
  tracks,
  showCover = false,
  showAlbum = true,
  numbers,
  onPlay,
}: {
  tracks: QueueTrack[];
  showCover?: boolean;
  showAlbum?: boolean;
  numbers?: Array<number | null>;
  /** Defaults to playing `tracks` from the row. */
  onPlay?: (index: number) => void;
}) {
  const engine = usePlayerEngine();
  const playing = current(usePlayer().queue)?.track.id;
  return (
    <ol className="tracks">
      {tracks.map((t, i) => (
        <TrackRow
          key={`${t.id}-${i}`}
          track={t}
          number={numbers ? (numbers[i] ?? null) : i + 1}
          isCurrent={t.id === playing}
          showCover={showCover}
          showAlbum={showAlbum}
          onPlay={() => (onPlay ? onPlay(i) : void engine.playTracks(tracks, i))}
        />
      ))}
    </ol>
  );
}

export function TrackRow({
  track: t,
  number,
  isCurrent,
  showCover,
  showAlbum,
  onPlay,
  style,
  liked,
  as: Tag = 'li',
}: {
  track: QueueTrack;
  number: number | null;
  isCurrent: boolean;
  showCover: boolean;
  showAlbum: boolean;
  onPlay: () => void;
  style?: CSSProperties;
  /** Liked as the caller's query loaded it; without it the heart asks for it. */
  liked?: boolean;
  as?: 'li' | 'div';
}) {
  return (
    <Tag className={`track${isCurrent ? ' current' : ''}`} style={style} aria-current={isCurrent ? 'true' : undefined} {...trackDragProps(t)}>
      <SelectBox track={t} />
      <div className="num">
        {showCover ? (
          <div className="thumb">
            <Cover url={t.cover} alt="" size={64} label={t.title} />
          </div>
        ) : (
          <span>{number ?? '–'}</span>
        )}
        {!showCover && (
          <button className="icon-btn" aria-label={`Play ${t.title}`} onClick={onPlay}>
            <PlayIcon />
          </button>
        )}
      </div>
      <div className="t-main">
        <button className="t-title" onClick={onPlay} aria-label={`Play ${t.title}`} title={t.title}>
          {t.title}
        </button>
        <div className="t-sub">
          <Artists artists={t.artists} />
        </div>
      </div>
      <div className="t-album">{showAlbum && t.album ? <Link to={`/albums/${t.album.id}`}>{t.album.title}</Link> : null}</div>
      <LikeButton trackId={t.id} title={t.title} liked={liked} />
      <div className="t-time">{clock(t.duration)}</div>
      <TrackMenu track={t} />
    </Tag>
  );
}
