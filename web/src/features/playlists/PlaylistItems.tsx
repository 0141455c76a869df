import { useEffect, useRef, useState, type DragEvent } from 'react';
import { Link } from '../../app/router';
import { clock } from '../../ui/format';
import { CloseIcon } from '../../ui/icons';
import { GripIcon } from '../../ui/more-icons';
import { LikeButton } from '../likes/LikeButton';
import { Artists, TrackMenu } from '../library/TrackList';
import type { QueueTrack } from '../player/queue';
import { droppedTracks, ITEM_TYPE, TRACKS_TYPE } from './selection';

export interface Entry {
  id: string;
  track: QueueTrack | null;
}

/**
 * The entries of a playlist. The owner reorders them by dragging a row onto another (it takes
 * that row's place) or with the arrow keys on a row's handle, removes one or the checked ones,
 * and drops tracks dragged from any track list in front of a row or at the end.
 */
export function PlaylistItems({
  entries,
  total,
  canEdit,
  onPlay,
  onMove,
  onRemove,
  onAdd,
}: {
  entries: Entry[];
  /** Entries in the playlist (more than `entries` while the rest is not loaded yet). */
  total: number;
  canEdit: boolean;
  onPlay: (index: number) => void;
  onMove: (itemId: string, toPosition: number) => void;
  onRemove: (itemIds: string[]) => void;
  onAdd: (trackIds: string[], beforeItemId: string | null) => void;
}) {
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [dropAt, setDropAt] = useState<number | null>(null);
  const [focusItem, setFocusItem] = useState<string | null>(null);
  const listRef = useRef<HTMLOListElement>(null);
  const idList = entries.map((e) => e.id).join(',');
  useEffect(() => {
    if (!focusItem) return;
    // A moved row is taken out of the document and put back, which drops the focus of its grip:
    // give it back then, and only then — never take focus from where the user has put it since.
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    listRef.current?.querySelector<HTMLButtonElement>(`[data-grip="${focusItem}"]`)?.focus();
  }, [entries, focusItem]);
  useEffect(() => {
    // Checked entries that left the playlist (removed here or elsewhere) are unchecked.
    const ids = new Set(idList.split(','));
    setPicked((p) => {
      const left = new Set([...p].filter((i) => ids.has(i)));
      return left.size === p.size ? p : left;
    });
  }, [idList]);
  const accepts = (e: DragEvent) => canEdit && (e.dataTransfer.types.includes(ITEM_TYPE) || e.dataTransfer.types.includes(TRACKS_TYPE));
  const drop = (e: DragEvent, index: number) => {
    e.preventDefault();
    setDropAt(null);
    const item = e.dataTransfer.getData(ITEM_TYPE);
    if (item) {
      onMove(item, Math.min(index, entries.length - 1));
      return;
    }
    const tracks = droppedTracks(e);
    if (tracks?.length) onAdd(tracks, entries[index]?.id ?? null);
  };
  return (
    <>
      {canEdit && picked.size > 0 && (
        <div className="list-head">
          <span>{picked.size} checked</span>
          <button
            className="btn"
            onClick={() => {
              onRemove([...picked]);
              setPicked(new Set());
            }}
          >
            Remove checked
          </button>
          <button className="btn" onClick={() => setPicked(new Set())}>
            Uncheck all
          </button>
        </div>
      )}
      {entries.length === 0 && (
        <p className="subtle">{canEdit ? 'No tracks yet. Add some from any track’s menu, or drag tracks here.' : 'This playlist is empty.'}</p>
      )}
      <ol className="tracks playlist-items" aria-label="Playlist entries" ref={listRef}>
        {entries.map((entry, i) => {
          const t = entry.track;
          const title = t?.title ?? 'Unavailable track';
          return (
            <li
              key={entry.id}
              className={`track pl-row${canEdit ? '' : ' ro'}${dropAt === i ? ' drop-before' : ''}`}
              data-item={entry.id}
              draggable={canEdit}
              onDragStart={(e) => {
                e.dataTransfer.setData(ITEM_TYPE, entry.id);
                e.dataTransfer.setData('text/plain', title);
                e.dataTransfer.effectAllowed = 'move';
              }}
              onDragOver={(e) => {
                if (!accepts(e)) return;
                e.preventDefault();
                if (dropAt !== i) setDropAt(i);
              }}
              onDragLeave={() => setDropAt((d) => (d === i ? null : d))}
              onDrop={(e) => drop(e, i)}
            >
              {canEdit && (
                <input
                  type="checkbox"
                  aria-label={`Check ${title}, entry ${i + 1}`}
                  checked={picked.has(entry.id)}
                  onChange={() =>
                    setPicked((p) => {
                      const n = new Set(p);
                      if (n.has(entry.id)) n.delete(entry.id);
                      else n.add(entry.id);
                      return n;
                    })
                  }
                />
              )}
              {canEdit && (
                <button
                  className="icon-btn grip"
                  data-grip={entry.id}
                  aria-label={`Move ${title}, entry ${i + 1} of ${Math.max(total, entries.length)}`}
                  aria-keyshortcuts="ArrowUp ArrowDown"
                  title="Drag, or use the arrow keys, to move"
                  onFocus={() => setFocusItem(entry.id)}
                  onBlur={() => setFocusItem((f) => (f === entry.id ? null : f))}
                  onKeyDown={(e) => {
                    const to = e.key === 'ArrowUp' ? i - 1 : e.key === 'ArrowDown' ? i + 1 : null;
                    if (to === null) return;
                    e.preventDefault();
                    if (to >= 0 && to < entries.length) onMove(entry.id, to);
                  }}
                >
                  <GripIcon />
                </button>
              )}
              <div className="num">
                <span>{i + 1}</span>
              </div>
              <div className="t-main">
                {t ? (
                  <>
                    <button className="t-title" onClick={() => onPlay(i)} aria-label={`Play ${t.title}`} title={t.title}>
                      {t.title}
                    </button>
                    <div className="t-sub">
                      <Artists artists={t.artists} />
                    </div>
                  </>
                ) : (
                  <span className="t-title subtle">Unavailable track (no longer in the library)</span>
                )}
              </div>
              <div className="t-album">{t?.album ? <Link to={`/albums/${t.album.id}`}>{t.album.title}</Link> : null}</div>
              {t ? <LikeButton trackId={t.id} title={t.title} /> : <span />}
              <div className="t-time">{t ? clock(t.duration) : ''}</div>
              {canEdit ? (
                <button className="icon-btn" aria-label={`Remove ${title} from the playlist, entry ${i + 1}`} onClick={() => onRemove([entry.id])}>
                  <CloseIcon />
                </button>
              ) : (
                <span />
              )}
              {t ? <TrackMenu track={t} /> : <span />}
            </li>
          );
        })}
      </ol>
      {canEdit && (
        <div
          className={`drop-end${dropAt === entries.length ? ' active' : ''}`}
          onDragOver={(e) => {
            if (!accepts(e)) return;
            e.preventDefault();
            setDropAt(entries.length);
          }}
          onDragLeave={() => setDropAt(null)}
          onDrop={(e) => drop(e, entries.length)}
        >
          Drop tracks here to add them at the end
        </div>
      )}
    </>
  );
}
