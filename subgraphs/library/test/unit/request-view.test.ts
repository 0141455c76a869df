import { describe, expect, it } from '@jest/globals';
import { RequestView } from '../../src/graphql/request-views.js';

describe('RequestView', () => {
  it('reads each id once per request and keeps what it read, nothing found included', () => {
    const store = new Map<string, string>([['a', 'A1']]);
    const reads: string[] = [];
    const view = new RequestView<string | null>((ids) => {
      reads.push(...ids);
      return ids.map((id) => store.get(id) ?? null);
    });
    expect(view.get('a')).toBe('A1');
    expect(view.get('missing')).toBeNull();
    // Changed meanwhile (a rescan): this request keeps showing what it first read.
    store.set('a', 'A2');
    store.set('missing', 'now here');
    expect(view.get('a')).toBe('A1');
    expect(view.get('missing')).toBeNull();
    expect(reads).toEqual(['a', 'missing']);
    // A new request (a new view) sees the catalogue as it is now.
    expect(new RequestView<string | null>((ids) => ids.map((id) => store.get(id) ?? null)).get('a')).toBe('A2');
  });
});
