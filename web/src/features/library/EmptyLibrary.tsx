import { useMutation, useSubscription } from 'urql';
import { graphql } from '../../graphql';
import { AlbumIcon } from '../../ui/icons';
import { useUser } from '../auth/session-context';

const SCAN = graphql(`
  mutation StartScan {
    startLibraryScan {
      state
      filesSeen
      tracksAdded
    }
  }
`);

const SCAN_PROGRESS = graphql(`
  subscription ScanProgress {
    scanProgress {
      state
      filesSeen
      filesParsed
      tracksAdded
    }
  }
`);

/** Live progress of the scan (the ADMIN-only scanProgress subscription). */
function ScanProgress() {
  const [{ data }] = useSubscription({ query: SCAN_PROGRESS });
  const p = data?.scanProgress;
  if (!p) return null;
  return (
    <p className="alert info" role="status">
      {p.state === 'RUNNING'
        ? `Scanning… ${p.filesParsed} of ${p.filesSeen} files read, ${p.tracksAdded} tracks added.`
        : `Scan ${p.state === 'FAILED' ? 'failed' : 'finished'}: ${p.tracksAdded} tracks added.`}
    </p>
  );
}

/** No music yet: say so, and let an ADMIN start a scan. */
export function EmptyLibrary() {
  const user = useUser();
  const [scan, startScan] = useMutation(SCAN);
  return (
    <section className="empty-state" aria-labelledby="empty-title">
      <AlbumIcon />
      <h2 id="empty-title">Your library is empty</h2>
      {user.role === 'ADMIN' ? (
        <>
          <p>Put music files in the server’s music folder, then scan it. New files are also picked up on their own while the server runs.</p>
          <button className="btn primary" disabled={scan.fetching} onClick={() => void startScan({})}>
            {scan.fetching ? 'Starting…' : 'Scan now'}
          </button>
          {scan.data && <p className="alert info">Scan started. Albums appear here as they are found.</p>}
          {scan.data && <ScanProgress />}
          {scan.error && <p className="alert">Could not start a scan: {scan.error.graphQLErrors[0]?.message ?? 'the server did not answer'}.</p>}
        </>
      ) : (
        <>
          <p>There is no music on this server yet. Albums appear here on their own as soon as music files are added to the server’s music folder.</p>
          <ul className="empty-steps">
            <li>
              <strong>If you run this server:</strong> copy your music (MP3, FLAC, M4A, OGG, …) into its music folder — the <code>music</code> folder beside it,
              or the folder named by <code>MUSIC_DIR</code> when it was started — and keep this page open.
            </li>
            <li>
              <strong>Otherwise:</strong> ask the person who runs it to add some music.
            </li>
          </ul>
        </>
      )}
    </section>
  );
}
