import { afterEach, describe, expect, it } from '@jest/globals';
import { createLogger } from '@ytm/logger';
import { waitFor } from '@ytm/testing';
import { ParserPool } from '../../src/scanner/worker-pool.js';

const script = new URL('../fixtures/misbehaving-parse.worker.mjs', import.meta.url);
const logger = createLogger({ name: 'pool-test', level: 'silent' });
let pool: ParserPool | undefined;

afterEach(async () => {
  await pool?.close();
});

describe('ParserPool', () => {
  it('replaces a crashed worker, fails only the file that crashed it twice, and retries the others', async () => {
    pool = new ParserPool({ size: 1, inFlightPerWorker: 4, script, logger });
    const results = await Promise.all(['/m/a.mp3', '/m/crash.mp3', '/m/b.mp3', '/m/c.mp3'].map((p) => pool!.parse(p)));
    expect(results.map((r) => r.ok)).toEqual([true, false, true, true]);
    expect(results[1]).toMatchObject({ ok: false, reason: expect.stringContaining('parser crashed') });
    expect(pool.replaced).toBeGreaterThanOrEqual(1);
    expect((await pool.parse('/m/after.mp3')).ok).toBe(true);
  });

  it('answers a hanging file with a timeout error and keeps going', async () => {
    pool = new ParserPool({ size: 1, inFlightPerWorker: 2, taskTimeoutMs: 300, script, logger });
    const [hang, fine] = await Promise.all([pool.parse('/m/hang.flac'), pool.parse('/m/fine.flac')]);
    expect(hang).toMatchObject({ ok: false, reason: expect.stringContaining('longer than 300 ms') });
    expect(fine.ok).toBe(true);
  });

  it('survives a file that exhausts the worker heap', async () => {
    pool = new ParserPool({ size: 1, inFlightPerWorker: 1, maxHeapMb: 32, script, logger });
    const oom = await pool.parse('/m/oom.mp3');
    expect(oom.ok).toBe(false);
    expect((await pool.parse('/m/next.mp3')).ok).toBe(true);
  });

  it('starts workers on demand and stops them when idle', async () => {
    pool = new ParserPool({ size: 2, idleMs: 50, script, logger });
    expect(pool.running).toBe(0);
    await pool.parse('/m/a.mp3');
    expect(pool.running).toBe(2);
    await waitFor(() => pool?.running === 0, 5_000, 10, 'the idle workers to stop');
    expect(pool.running).toBe(0);
  });
});
