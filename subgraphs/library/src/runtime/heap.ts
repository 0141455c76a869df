import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

/**
 * A full collection after bulk work (loading the catalogue, a full scan). Both leave hundreds of
 * MB of short-lived garbage; collecting it at once lets V8 shrink the heap and return the pages,
 * instead of holding them until memory pressure that may never come.
 */
export function compactHeap(): void {
  try {
    if (!gc) {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    }
    // Bulk loading leaves old-space pages a third empty; only a compacting collection frees them.
    setFlagsFromString('--compact-on-every-full-gc');
    gc();
    setFlagsFromString('--no-compact-on-every-full-gc');
  } catch {
    // Not exposed on this runtime: the heap shrinks on its own schedule.
  }
}
