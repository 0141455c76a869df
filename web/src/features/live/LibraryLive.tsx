import { useEffect } from 'react';
import { useClient } from 'urql';
import { graphql } from '../../graphql';
import { notify } from '../../ui/notices';
import { usePlayerEngine } from '../player/player-context';

const LIBRARY_CHANGED = graphql(`
  subscription LibraryChanged {
    libraryChanged {
      kind
      trackId
    }
  }
`);

/**
 * Library changes while the app is open: lists refetch through the cache (cache-config.ts), and a
 * track that left the library is taken out of the queue (skipped if it is playing) with a notice.
 * Every event is handled (a direct subscription, not a rendered result that could coalesce).
 */
export function LibraryLive() {
  const client = useClient();
  const engine = usePlayerEngine();
  useEffect(() => {
    const subscription = client.subscription(LIBRARY_CHANGED, {}).subscribe((r) => {
      const change = r.data?.libraryChanged;
      if (change?.kind !== 'REMOVED') return;
      const gone = engine.snapshot.queue.items.filter((i) => i.track.id === change.trackId);
      for (const item of gone) engine.remove(item.key);
      if (gone[0]) notify(`“${gone[0].track.title}” was removed from the library and taken out of the queue.`);
    });
    return () => subscription.unsubscribe();
  }, [client, engine]);
  return null;
}
