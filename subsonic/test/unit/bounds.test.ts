import { describe, expect, it } from '@jest/globals';
import { maxBitrateOf } from '../../src/endpoints/media.js';
import { SubsonicError } from '../../src/format/response.js';
import { MAX_TEXT_LENGTH, Params } from '../../src/http/params.js';
import { mapBounded, MAX_IN_FLIGHT } from '../../src/ytm/bounded.js';
import { CursorCache, type PageFetcher } from '../../src/ytm/cursor-cache.js';

const params = (entries: Array<[string, string]>) => new Params(new URLSearchParams(entries));
const failure = (work: () => unknown) => {
  try {
    work();
  } catch (err) {
    if (err instanceof SubsonicError) return { code: err.code, message: err.message };
    throw err;
  }
  return 'no error';
};

describe('Params: free text and ID lists', () => {
  it('text: up to 256 characters as given; longer is error 0 naming the parameter', () => {
    expect(MAX_TEXT_LENGTH).toBe(256);
    expect(params([['genre', 'x'.repeat(256)]]).text('genre')).toBe('x'.repeat(256));
    expect(params([]).text('genre')).toBeUndefined();
    expect(failure(() => params([['genre', 'x'.repeat(257)]]).text('genre'))).toEqual({ code: 0, message: 'Parameter genre must be at most 256 characters' });
    expect(failure(() => params([['c', 'x'.repeat(900_000)]]).text('c'))).toEqual({ code: 0, message: 'Parameter c must be at most 256 characters' });
  });

  it('requiredText: absent or empty is 10, over-long is 0', () => {
    expect(failure(() => params([]).requiredText('genre'))).toMatchObject({ code: 10 });
    expect(failure(() => params([['genre', '']]).requiredText('genre'))).toMatchObject({ code: 10 });
    expect(failure(() => params([['genre', 'x'.repeat(257)]]).requiredText('genre'))).toMatchObject({ code: 0 });
    expect(params([['genre', 'Jazz']]).requiredText('genre')).toBe('Jazz');
  });

  it('ids: the non-empty values, at most `max`', () => {
    const p = params([
      ['id', 'a'],
      ['id', ''],
      ['id', 'b'],
    ]);
    expect(p.ids('id', 2, 'too many')).toEqual(['a', 'b']);
    expect(failure(() => p.ids('id', 1, 'A queue holds at most 1 song'))).toEqual({ code: 0, message: 'A queue holds at most 1 song (id: 2 given)' });
  });
});

describe('CursorCache keys', () => {
  const page: PageFetcher<number> = async (first, after) => {
    const start = after === null ? 0 : Number(after);
    const edges = Array.from({ length: first }, (_, i) => ({ node: start + i }));
    return { totalCount: 1_000, pageInfo: { hasNextPage: true, endCursor: String(start + first) }, edges };
  };
  const keysOf = (cache: CursorCache) => [...(cache as unknown as { scopes: Map<string, unknown> }).scopes.keys()];

  it('a scope is kept under a SHA-256 of its name, not the name: a 900 KB genre keeps a 43-character key', async () => {
    const cache = new CursorCache();
    const genre = 'g'.repeat(900_000);
    await cache.range(`genre:${genre}`, 0, 10, page);
    await cache.range('sync:tracks', 0, 10, page);
    const keys = keysOf(cache);
    expect(keys.map((k) => k.length)).toEqual([43, 43]); // lengths only: a failure must not print 900 KB
    expect(keys.every((k) => /^[A-Za-z0-9_-]{43}$/.test(k))).toBe(true);
  });

  it('the same scope name finds its remembered cursors again (paging continues where it ended)', async () => {
    const cache = new CursorCache();
    const asked: Array<string | null> = [];
    const counting: PageFetcher<number> = (first, after) => {
      asked.push(after);
      return page(first, after);
    };
    expect((await cache.range('genre:Jazz', 0, 100, counting)).items[0]).toBe(0);
    expect((await cache.range('genre:Jazz', 100, 100, counting)).items[0]).toBe(100);
    expect(asked).toEqual([null, '100']);
    await cache.range('genre:Rock', 100, 100, counting);
    expect(asked.slice(2)).toEqual([null, '100']); // another scope walks from its start
  });
});

describe('mapBounded', () => {
  it('runs every item, at most MAX_IN_FLIGHT (4) at once, results in order', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await mapBounded(
      Array.from({ length: 70 }, (_, i) => i),
      async (n) => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 1 + (n % 3)));
        inFlight -= 1;
        return n * 2;
      },
    );
    expect(MAX_IN_FLIGHT).toBe(4);
    expect(most).toBe(4);
    expect(results).toEqual(Array.from({ length: 70 }, (_, i) => i * 2));
  });

  it('rejects with the first failure and starts nothing after it', async () => {
    const started: number[] = [];
    const run = mapBounded(
      Array.from({ length: 20 }, (_, i) => i),
      async (n) => {
        started.push(n);
        await new Promise((r) => setTimeout(r, 5));
        if (n === 1) throw new Error('refused');
        return n;
      },
      2,
    );
    await expect(run).rejects.toThrow('refused');
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toEqual([0, 1, 2]);
  });

  it('an empty list is an empty answer', async () => {
    expect(await mapBounded([], async () => 1)).toEqual([]);
  });
});

describe('maxBitrateOf: a Subsonic maxBitRate as a ceiling stream accepts (32–512 kbit/s)', () => {
  it.each([
    [0, null],
    [1, 32],
    [16, 32],
    [31, 32],
    [32, 32],
    [128, 128],
    [512, 512],
    [513, null],
    [1000, null],
    [10_000, null],
  ])('%i → %p', (asked, sent) => {
    expect(maxBitrateOf(asked)).toBe(sent);
  });
});
