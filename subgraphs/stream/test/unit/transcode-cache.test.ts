import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createLogger } from '@ytm/logger';
import { TranscodeCache } from '../../src/transcode/transcode-cache.js';

const logger = createLogger({ name: 'transcode-cache-test', level: 'silent' });
const spec = { format: 'OPUS', bitrate: 128 } as const;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ytm-transcode-cache-unit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A source file and its finished transcode in the cache (as a run before left them), the object's times set. */
async function cachedObject(cache: TranscodeCache, id: string, bytes: number) {
  const source = join(dir, `${id}.flac`);
  writeFileSync(source, `source ${id}`);
  const identity = { path: source, size: statSync(source).size, mtimeMs: statSync(source).mtimeMs };
  const hash = await cache.contentHash(identity);
  const temp = cache.tempPath(spec);
  writeFileSync(temp, Buffer.alloc(bytes, 1));
  cache.commit(temp, hash, spec);
  cache.flush();
  return { identity, object: join(dir, 'cache', 'objects', `${hash}.OPUS.128.ogg`) };
}

const seconds = (ms: number) => ms / 1000;

describe('TranscodeCache', () => {
  it('a hit after a pause records the use in atime and leaves the mtime (the ETag and Last-Modified) as it was', async () => {
    const first = new TranscodeCache(join(dir, 'cache'), 10_000_000, logger);
    first.init();
    const { identity, object } = await cachedObject(first, 'a', 1_000);
    // Made and last used two minutes ago: the next hit is past the minute between recorded uses.
    const twoMinutesAgo = Math.floor(seconds(Date.now() - 120_000));
    utimesSync(object, twoMinutesAgo, twoMinutesAgo);
    const before = statSync(object);

    const restarted = new TranscodeCache(join(dir, 'cache'), 10_000_000, logger);
    restarted.init();
    const hit = restarted.lookup(identity, spec);
    expect(hit).toMatchObject({ path: object, size: 1_000, mtimeMs: before.mtimeMs });
    const after = statSync(object);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.atimeMs).toBeGreaterThan(before.atimeMs + 60_000);
  });

  it('at start, evicts by last use (atime), not by when the object was made', async () => {
    const cache = new TranscodeCache(join(dir, 'cache'), 10_000_000, logger);
    cache.init();
    const older = await cachedObject(cache, 'older', 600);
    const newer = await cachedObject(cache, 'newer', 600);
    const now = Math.floor(seconds(Date.now()));
    // `older` was made first but played a minute ago; `newer` was made later and never played since.
    utimesSync(older.object, now - 60, now - 3_600);
    utimesSync(newer.object, now - 600, now - 600);

    const restarted = new TranscodeCache(join(dir, 'cache'), 1_000, logger);
    restarted.init();
    expect(readdirSync(join(dir, 'cache', 'objects'))).toEqual([older.object.slice(older.object.lastIndexOf('/') + 1)]);
    expect(restarted.lookup(older.identity, spec)).toBeDefined();
    expect(restarted.lookup(newer.identity, spec)).toBeUndefined();
  });
});
