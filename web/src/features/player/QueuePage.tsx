import { useState } from 'react';
import { Cover } from '../../ui/Cover';
import { clock } from '../../ui/format';
import { CloseIcon, DownIcon, UpIcon } from '../../ui/icons';
import { Artists } from '../library/TrackList';
import { usePlayer, usePlayerEngine } from './player-context';

/** The queue: what plays now and next; reorder (drag, or the arrow buttons), remove, clear. */
export function QueuePage() {
  const engine = usePlayerEngine();
  const { queue } = usePlayer();
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const [dropAt, setDropAt] = useState<number | null>(null);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Queue</h1>
          <p className="subtle">{queue.items.length ? `${queue.items.length} in the queue` : 'The queue is empty. Play an album or add tracks to it.'}</p>
        </div>
        {queue.items.length > 1 && (
          <button className="btn" onClick={() => engine.clearUpcoming()}>
            Clear queue
          </button>
        )}
      </div>
      <ol className="tracks" aria-label="Queue">
        {queue.items.map((item, i) => (
          <li
            key={item.key}
            className={`queue-item${i === queue.index ? ' current' : ''}${dropAt === i ? ' drop-target' : ''}`}
            draggable
            onDragStart={() => setDragFrom(i)}
            onDragOver={(e) => {
              e.preventDefault();
              setDropAt(i);
            }}
            onDragEnd={() => {
              setDragFrom(null);
              setDropAt(null);
            }}
            onDrop={() => {
              if (dragFrom !== null) engine.move(dragFrom, i);
              setDragFrom(null);
              setDropAt(null);
            }}
            aria-current={i === queue.index ? 'true' : undefined}
          >
            <Cover url={item.track.cover} alt="" size={64} label={item.track.title} />
            <div className="t-main">
              <button
                className="t-title"
                onClick={() => void engine.jump(i)}
                aria-label={`Play ${item.track.title}${i === queue.index ? ' (now playing)' : ''}`}
              >
                {item.track.title}
              </button>
              <div className="t-sub">
                <Artists artists={item.track.artists} />
              </div>
            </div>
            <div className="t-time subtle">{clock(item.track.duration)}</div>
            <div className="ops">
              <button className="icon-btn" aria-label={`Move ${item.track.title} up`} disabled={i === 0} onClick={() => engine.move(i, i - 1)}>
                <UpIcon />
              </button>
              <button
                className="icon-btn"
                aria-label={`Move ${item.track.title} down`}
                disabled={i === queue.items.length - 1}
                onClick={() => engine.move(i, i + 1)}
              >
                <DownIcon />
              </button>
              <button className="icon-btn" aria-label={`Remove ${item.track.title} from the queue`} onClick={() => engine.remove(item.key)}>
                <CloseIcon />
              </button>
            </div>
          </li>
        ))}
      </ol>
    </>
  );
}
