import { createContext, useContext, useEffect, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import { useClient } from 'urql';
import { graphql } from '../../graphql';
import { PlayerEngine, type PlayerSnapshot } from './player-engine';
import { parseStored } from './queue';
import { retryAfterSeconds, sameOrigin, TicketError, type TicketErrorCode } from './tickets';
import { useMediaSession } from './media-session';
import { useShortcuts } from './shortcuts';
import { useSession } from '../auth/session-context';

const REQUEST_PLAYBACK = graphql(`
  mutation RequestPlayback($trackId: ID!, $format: StreamFormat) {
    requestPlayback(trackId: $trackId, format: $format) {
      url
      expiresAt
      mimeType
      format
      bitrate
    }
  }
`);

const QUOTA = graphql(`
  query PlaybackQuota {
    me {
      id
      playbackQuota {
        tier
        playsToday
        dailyLimit
        maxConcurrentStreams
      }
    }
  }
`);

const PlayerContext = createContext<PlayerEngine | null>(null);

const CODES: TicketErrorCode[] = ['QUOTA_EXCEEDED', 'UNAUTHENTICATED', 'NOT_FOUND', 'RATE_LIMITED'];

/** One player per signed-in user: its audio element, its engine, and the queue it stored. */
export function PlayerProvider({ userId, children }: { userId: string; children: ReactNode }) {
  const client = useClient();
  const session = useSession();
  const engine = useMemo(() => {
    const key = `ytm.player.${userId}`;
    // Two elements: one plays, the other preloads the next track or takes over a renewed ticket.
    const [audio, standby] = [0, 1].map(() => {
      const el = document.createElement('audio');
      el.preload = 'auto';
      el.dataset.player = 'main';
      document.body.append(el);
      return el;
    }) as [HTMLAudioElement, HTMLAudioElement];
    // The plan's stream limit, asked when the first ticket is (not on page load: the library comes first).
    let maxStreams = 1;
    let quotaAsked = false;
    const askQuota = () => {
      if (quotaAsked) return;
      quotaAsked = true;
      void client
        .query(QUOTA, {}, { requestPolicy: 'network-only' })
        .toPromise()
        .then((r) => (maxStreams = r.data?.me.playbackQuota.maxConcurrentStreams ?? 1));
    };
    let stored: { queue?: unknown; position?: number; volume?: number; muted?: boolean } = {};
    try {
      stored = JSON.parse(localStorage.getItem(key) ?? '{}') as typeof stored;
    } catch {
      /* start fresh */
    }
    return new PlayerEngine(
      {
        audio,
        standby,
        maxStreams: () => maxStreams,
        canPlay: (type) => audio.canPlayType(type) !== '',
        async requestTicket(trackId, format) {
          askQuota();
          const r = await client.mutation(REQUEST_PLAYBACK, { trackId, format }).toPromise();
          if (r.data) {
            const t = r.data.requestPlayback;
            return { url: sameOrigin(t.url, location.origin), expiresAt: Date.parse(t.expiresAt), mimeType: t.mimeType, format: t.format };
          }
          if (r.error?.networkError) throw new TicketError('NETWORK', r.error.message);
          const code = r.error?.graphQLErrors[0]?.extensions?.code as TicketErrorCode | undefined;
          throw new TicketError(code && CODES.includes(code) ? code : 'OTHER', r.error?.message ?? 'no ticket');
        },
        async probe(url) {
          try {
            const r = await fetch(url, { method: 'HEAD', cache: 'no-store' });
            const retryAfter = retryAfterSeconds(r.headers.get('retry-after'), Date.now());
            return retryAfter === undefined ? r.status : { status: r.status, retryAfter };
          } catch {
            return 'network';
          }
        },
        forget: () => localStorage.removeItem(key),
        save: (state) => {
          try {
            localStorage.setItem(key, state);
          } catch {
            /* storage full or disabled: the queue just does not survive a reload */
          }
        },
      },
      {
        queue: parseStored(JSON.stringify(stored.queue ?? null)),
        position: typeof stored.position === 'number' ? stored.position : 0,
        volume: typeof stored.volume === 'number' ? stored.volume : 1,
        muted: stored.muted === true,
      },
    );
  }, [client, userId]);

  // Signing out on purpose empties the queue and forgets the stored one (a shared computer).
  useEffect(() => session.onSignOut(() => engine.forget()), [session, engine]);
  useEffect(() => {
    const online = () => engine.online();
    addEventListener('online', online);
    return () => {
      removeEventListener('online', online);
      engine.stop();
    };
  }, [engine]);
  useMediaSession(engine);
  useShortcuts(engine);
  return <PlayerContext.Provider value={engine}>{children}</PlayerContext.Provider>;
}

export function usePlayerEngine(): PlayerEngine {
  const e = useContext(PlayerContext);
  if (!e) throw new Error('usePlayerEngine outside PlayerProvider');
  return e;
}

export function usePlayer(): PlayerSnapshot {
  const e = usePlayerEngine();
  return useSyncExternalStore(e.subscribe, () => e.snapshot);
}
