import DataLoader from 'dataloader';
import type { BaseContext } from '@ytm/subgraph';
import type { PlaybackService } from '../domain/playback.service.js';

export interface StreamContext extends BaseContext {
  playback: PlaybackService;
  loaders: { playCount: DataLoader<string, number> };
}

/** Per-request context: a fresh loader so one query's Track.playCount fields become one aggregate. */
export function createContext(playback: PlaybackService) {
  return (base: BaseContext): StreamContext => ({
    ...base,
    playback,
    loaders: {
      playCount: new DataLoader<string, number>(async (ids) => {
        const counts = await playback.playCounts(ids);
        return ids.map((id) => counts.get(id) ?? 0);
      }),
    },
  });
}
