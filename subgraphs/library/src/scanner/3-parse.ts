import type { FoundFile } from './1-walk.js';
import type { ParseOutcome } from './parse.protocol.js';
import type { ParserPool } from './worker-pool.js';

/**
 * Phase 3: parse files on the worker pool, keeping every worker busy (several files in flight
 * per worker) and handing each outcome to `handle` as it arrives. `handle` failing (a database
 * error) stops the phase; a bad file does not.
 */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

export async function parseAll(
  pool: Pick<ParserPool, 'parse' | 'capacity'>,
  files: FoundFile[],
  handle: (file: FoundFile, outcome: ParseOutcome) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: unknown;
  const lane = async (): Promise<void> => {
    while (failure === undefined && next < files.length) {
      const file = files[next++]!;
      const outcome = await pool.parse(file.path);
      try {
        await handle(file, outcome);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(files.length, pool.capacity) }, lane));
  if (failure !== undefined) throw asError(failure);
}
