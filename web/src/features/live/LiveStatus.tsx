import { useEffect, useState, useSyncExternalStore } from 'react';
import { liveSocket } from '../../app/live-socket';

/**
 * "Reconnecting…" while the live connection (graphql-ws) is down after having been up; the page
 * is refetched when it is back. `data-live` carries the state for tests and diagnostics.
 */
export function LiveStatus() {
  const state = useSyncExternalStore(liveSocket.subscribe, () => liveSocket.state);
  const [wasOpen, setWasOpen] = useState(false);
  useEffect(() => {
    if (state === 'open') setWasOpen(true);
  }, [state]);
  const down = wasOpen && state !== 'open';
  return (
    <div className="live-status" data-live={state} role="status" aria-live="polite" aria-label="Connection">
      {down && <span className="notice">Live updates interrupted: reconnecting…</span>}
    </div>
  );
}
