import type { PlaylistEdit, PlaylistSnapshot } from './playlist-edits';

/** How long an applied edit waits for the page to show its result before the next one goes anyway. */
const SHOWN_WAIT_MS = 2_000;

/**
 * One playlist's edits, sent one at a time: each goes out once the one before it was answered and
 * the page shows the result, against the playlist as the page shows it then (`current`). So its
 * expectedVersion is the version the previous edit produced, never one captured before it (an
 * Undo clicked seconds after the removal, a second move made before the first was answered),
 * which the server would refuse as a CONFLICT. Pure: unit-tested in test/.
 */
export function editQueue(send: (edit: PlaylistEdit, snapshot: PlaylistSnapshot) => Promise<boolean>, current: () => PlaylistSnapshot) {
  let tail: Promise<unknown> = Promise.resolve();
  /** Edits answered, waiting for the page to show a version other than the one they were sent with. */
  const waiting = new Map<() => void, number>();
  const shown = (sentWith: number) =>
    new Promise<void>((resolve) => {
      if (current().version !== sentWith) return resolve();
      const done = () => {
        clearTimeout(timer);
        waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, SHOWN_WAIT_MS);
      waiting.set(done, sentWith);
    });
  return {
    /** Queues `edit`; resolves true when it was applied. */
    edit(edit: PlaylistEdit): Promise<boolean> {
      const run = tail.then(async () => {
        const s = current();
        const applied = await send(edit, s);
        if (applied) await shown(s.version);
        return applied;
      });
      tail = run.catch(() => undefined);
      return run;
    },
    /** The page shows a (new) version: edits waiting for it go on. */
    rendered(): void {
      const now = current().version;
      for (const [done, sentWith] of [...waiting]) if (sentWith !== now) done();
    },
  };
}
