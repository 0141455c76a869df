import { useEffect, useRef, useState } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import { graphql, readFragment, type ResultOf } from '../../graphql';
import { errorText } from '../../ui/errors';
import { longDuration } from '../../ui/format';

const ScanFields = graphql(`
  fragment ScanFields on ScanStatus {
    state
    startedAt
    finishedAt
    filesSeen
    filesParsed
    tracksAdded
    tracksUpdated
    tracksRemoved
    errors
  }
`);
type Scan = ResultOf<typeof ScanFields>;

const LIBRARY_ADMIN = graphql(
  `
    query LibraryAdmin {
      scanStatus {
        ...ScanFields
      }
      libraryStats {
        trackCount
        albumCount
        artistCount
        totalDuration
        totalBytes
        lastScanAt
      }
    }
  `,
  [ScanFields],
);

const SCAN_PROGRESS = graphql(
  `
    subscription ScanProgress {
      scanProgress {
        ...ScanFields
      }
    }
  `,
  [ScanFields],
);

const START_SCAN = graphql(
  `
    mutation StartLibraryScan($full: Boolean!) {
      startLibraryScan(full: $full) {
        ...ScanFields
      }
    }
  `,
  [ScanFields],
);

/** Whether status `a` is later news than `b` (events and the mutation's answer can arrive in any order). */
function newer(a: Scan, b: Scan | null): boolean {
  if (!b) return true;
  const ta = Date.parse(a.startedAt ?? '') || 0;
  const tb = Date.parse(b.startedAt ?? '') || 0;
  if (ta !== tb) return ta > tb;
  if ((a.state === 'RUNNING') !== (b.state === 'RUNNING')) return a.state !== 'RUNNING';
  return a.filesParsed >= b.filesParsed;
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }) : 'never');
const bytes = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : `${(n / 1e6).toFixed(1)} MB`);

/** The scan: a live progress bar (scanProgress), "Scan now" and "Full rescan"; the library's statistics. */
export function LibraryAdmin() {
  const [{ data }, reload] = useQuery({ query: LIBRARY_ADMIN, requestPolicy: 'cache-and-network' });
  const [live] = useSubscription({ query: SCAN_PROGRESS });
  const [started, startScan] = useMutation(START_SCAN);
  const [latest, setLatest] = useState<Scan | null>(null);
  // The newest status wins, whichever way it came (the query, the mutation's answer or an event).
  useEffect(() => {
    if (!live.data) return;
    const s = readFragment(ScanFields, live.data.scanProgress);
    setLatest((cur) => (newer(s, cur) ? s : cur));
  }, [live.data]);
  const status: Scan | undefined = latest ?? (data ? readFragment(ScanFields, data.scanStatus) : undefined);
  const wasRunning = useRef(false);
  useEffect(() => {
    if (status?.state === 'RUNNING') wasRunning.current = true;
    else if (wasRunning.current) {
      wasRunning.current = false;
      reload({ requestPolicy: 'network-only' });
    }
  }, [status?.state, reload]);
  const start = async (full: boolean) => {
    const r = await startScan({ full });
    if (!r.data) return;
    const s = readFragment(ScanFields, r.data.startLibraryScan);
    setLatest((cur) => (newer(s, cur) ? s : cur));
  };
  const running = status?.state === 'RUNNING';
  const pct = status && status.filesSeen > 0 ? Math.round((100 * status.filesParsed) / status.filesSeen) : running ? 0 : 100;
  const stats = data?.libraryStats;
  return (
    <>
      <section className="card-section" aria-labelledby="scan-title">
        <h2 id="scan-title">Library scan</h2>
        <div className="row" style={{ display: 'flex', gap: 10, flexWrap: 'wrap' }}>
          <button className="btn primary" disabled={running || started.fetching} onClick={() => void start(false)}>
            Scan now
          </button>
          <button className="btn" disabled={running || started.fetching} onClick={() => void start(true)}>
            Full rescan
          </button>
        </div>
        {started.error && <p className="alert">Could not start a scan: {errorText(started.error)}.</p>}
        {live.error && <p className="alert">Live scan progress is not available: {errorText(live.error)}.</p>}
        {status && (
          <>
            <div
              className="scan-bar"
              role="progressbar"
              aria-label="Scan progress"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={pct}
              aria-valuetext={
                running ? `${status.filesParsed} of ${status.filesSeen} files read` : `Last scan ${status.state === 'FAILED' ? 'failed' : 'finished'}`
              }
              data-state={status.state}
            >
              <div style={{ width: `${pct}%` }} />
            </div>
            <p data-testid="scan-state">
              {running ? `Scanning: ${status.filesParsed} of ${status.filesSeen} files read` : status.state === 'FAILED' ? 'The last scan failed' : 'Idle'}
              {` · started ${when(status.startedAt)}`}
              {status.finishedAt && !running ? ` · finished ${when(status.finishedAt)}` : ''}
            </p>
            <p className="subtle">
              {status.tracksAdded} added · {status.tracksUpdated} updated · {status.tracksRemoved} removed · {status.errors} unreadable files
            </p>
          </>
        )}
      </section>
      <section className="card-section" aria-labelledby="stats-title">
        <h2 id="stats-title">Library statistics</h2>
        {stats && (
          <dl className="stats">
            <div>
              <dt>Tracks</dt>
              <dd>{stats.trackCount.toLocaleString()}</dd>
            </div>
            <div>
              <dt>Albums</dt>
              <dd>{stats.albumCount.toLocaleString()}</dd>
            </div>
            <div>
              <dt>Artists</dt>
              <dd>{stats.artistCount.toLocaleString()}</dd>
            </div>
            <div>
              <dt>Playing time</dt>
              <dd>{longDuration(stats.totalDuration)}</dd>
            </div>
            <div>
              <dt>Size</dt>
              <dd>{bytes(stats.totalBytes)}</dd>
            </div>
            <div>
              <dt>Last scan</dt>
              <dd style={{ fontSize: '0.95rem' }}>{when(stats.lastScanAt)}</dd>
            </div>
          </dl>
        )}
      </section>
    </>
  );
}
