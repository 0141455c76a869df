import { useEffect } from 'react';
import type { PlayerEngine } from './player-engine';
import { current } from './queue';

/** Lock screen, notification and hardware media keys (Media Session API), with artwork. */
export function useMediaSession(engine: PlayerEngine): void {
  useEffect(() => {
    if (!('mediaSession' in navigator)) return;
    const ms = navigator.mediaSession;
    const handlers: Array<[MediaSessionAction, MediaSessionActionHandler]> = [
      ['play', () => void engine.play()],
      ['pause', () => engine.pause()],
      ['previoustrack', () => void engine.previous()],
      ['nexttrack', () => void engine.next()],
      ['seekto', (d) => d.seekTime !== undefined && engine.seek(d.seekTime)],
      ['seekbackward', (d) => engine.seek(engine.snapshot.position - (d.seekOffset ?? 10))],
      ['seekforward', (d) => engine.seek(engine.snapshot.position + (d.seekOffset ?? 10))],
    ];
    for (const [action, handler] of handlers) {
      try {
        ms.setActionHandler(action, handler);
      } catch {
        /* action not supported here */
      }
    }
    let shownKey: string | undefined;
    const sync = () => {
      const s = engine.snapshot;
      const item = current(s.queue);
      if (item?.key !== shownKey) {
        shownKey = item?.key;
        ms.metadata = item
          ? new MediaMetadata({
              title: item.track.title,
              artist: item.track.artists.map((a) => a.name).join(', '),
              album: item.track.album?.title ?? '',
              artwork: item.track.cover ? [128, 256, 512].map((n) => ({ src: `${item.track.cover}?size=${n}`, sizes: `${n}x${n}` })) : [],
            })
          : null;
      }
      ms.playbackState = item ? (s.playing ? 'playing' : 'paused') : 'none';
      if (s.duration > 0 && s.position <= s.duration) {
        try {
          ms.setPositionState({ duration: s.duration, position: s.position, playbackRate: 1 });
        } catch {
          /* inconsistent values while loading */
        }
      }
    };
    sync();
    return engine.subscribe(sync);
  }, [engine]);
}
