import type { CSSProperties } from 'react';
import { Link } from '../../app/router';
import { Cover } from '../../ui/Cover';
import { clock } from '../../ui/format';
import { LoaderIcon, MuteIcon, NextIcon, PauseIcon, PlayIcon, PrevIcon, QueueIcon, RepeatIcon, ShuffleIcon, VolumeIcon } from '../../ui/icons';
import { Artists } from '../library/TrackList';
import { usePlayer, usePlayerEngine } from './player-context';
import { current, nextIndex, previousIndex } from './queue';

/** The persistent bar: now playing, transport, seek with buffered range, volume, queue. */
export function PlayerBar() {
  const engine = usePlayerEngine();
  const s = usePlayer();
  const item = current(s.queue);
  const t = item?.track;
  const duration = s.duration || t?.duration || 0;
  const pct = duration ? (Math.min(s.position, duration) / duration) * 100 : 0;
  const buf = duration ? (Math.min(s.bufferedEnd, duration) / duration) * 100 : 0;
  const repeatLabel = s.queue.repeat === 'off' ? 'Repeat: off' : s.queue.repeat === 'all' ? 'Repeat: all' : 'Repeat: one';
  return (
    <>
      {s.problem && (
        <div className={`problem ${s.problem.kind}`} role="alert">
          <span>{s.problem.message}</span>
          {s.problem.kind === 'elsewhere' && (
            <button className="btn" onClick={() => void engine.play()}>
              Play here
            </button>
          )}
        </div>
      )}
      <section className="player" aria-label="Player">
        <div className="now">
          {t ? (
            <>
              <Cover url={t.cover} alt="" size={128} label={t.title} eager />
              <div className="text">
                {t.album ? (
                  <Link className="title" to={`/albums/${t.album.id}`} data-testid="now-title">
                    {t.title}
                  </Link>
                ) : (
                  <span className="title" data-testid="now-title">
                    {t.title}
                  </span>
                )}
                <span className="artist">
                  <Artists artists={t.artists} />
                </span>
              </div>
            </>
          ) : (
            <span className="subtle">Nothing playing</span>
          )}
        </div>
        <div className="transport">
          <div className="buttons">
            <button className="icon-btn shuffle" aria-label="Shuffle" aria-pressed={s.queue.shuffle} onClick={() => engine.toggleShuffle()}>
              <ShuffleIcon />
            </button>
            <button className="icon-btn" aria-label="Previous" disabled={!t} onClick={() => void engine.previous()} title="Previous (Shift+←)">
              <PrevIcon />
            </button>
            <button
              className="icon-btn play"
              aria-label={s.playing ? 'Pause' : 'Play'}
              disabled={!t}
              onClick={() => void engine.toggle()}
              title="Play/pause (Space)"
            >
              {s.loading && s.playing ? <LoaderIcon className="spin" /> : s.playing ? <PauseIcon /> : <PlayIcon />}
            </button>
            <button
              className="icon-btn"
              aria-label="Next"
              disabled={!t || (nextIndex(s.queue, false) === null && previousIndex(s.queue) === null && s.queue.repeat === 'off')}
              onClick={() => void engine.next()}
              title="Next (Shift+→)"
            >
              <NextIcon />
            </button>
            <button
              className="icon-btn repeat"
              aria-label={repeatLabel}
              aria-pressed={s.queue.repeat !== 'off'}
              onClick={() => engine.cycleRepeat()}
              title={repeatLabel}
            >
              <RepeatIcon />
              {s.queue.repeat === 'one' && <span style={{ position: 'absolute', fontSize: 9, fontWeight: 800, marginTop: 1 }}>1</span>}
            </button>
          </div>
          <div className="seekrow">
            <time aria-hidden="true">{clock(s.position)}</time>
            <div className="range" style={{ '--pct': `${pct}%`, '--buf': `${Math.max(buf, pct)}%` } as CSSProperties}>
              <input
                type="range"
                aria-label="Seek"
                min={0}
                max={Math.max(duration, 0.01)}
                step={1}
                value={Math.min(s.position, duration)}
                aria-valuetext={`${clock(s.position)} of ${clock(duration)}`}
                disabled={!t}
                onChange={(e) => engine.seek(Number(e.target.value))}
              />
            </div>
            <time aria-hidden="true">{clock(duration)}</time>
          </div>
        </div>
        <div className="extras">
          <Link to="/queue" className="icon-btn" aria-label="Queue">
            <QueueIcon />
          </Link>
          <button className="icon-btn" aria-label={s.muted ? 'Unmute' : 'Mute'} onClick={() => engine.toggleMute()}>
            {s.muted || s.volume === 0 ? <MuteIcon /> : <VolumeIcon />}
          </button>
          <div className="range" style={{ '--pct': `${s.muted ? 0 : s.volume * 100}%`, '--buf': '0%' } as CSSProperties}>
            <input
              type="range"
              aria-label="Volume"
              min={0}
              max={1}
              step={0.05}
              value={s.muted ? 0 : s.volume}
              onChange={(e) => engine.setVolume(Number(e.target.value))}
            />
          </div>
        </div>
      </section>
    </>
  );
}
