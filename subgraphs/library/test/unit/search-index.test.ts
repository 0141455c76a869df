import { describe, expect, it } from '@jest/globals';
import { SearchIndex } from '../../src/domain/search-index.js';

describe('SearchIndex', () => {
  const index = new SearchIndex();
  index.put('track', 't1', ['Human Behaviour', 'Björk', 'Début']);
  index.put('track', 't2', ['Hunter', 'Björk', 'Homogenic']);
  index.put('track', 't3', ['Come Together', 'The Beatles', 'Abbey Road']);
  index.put('track', 't4', ['Björk', 'Someone Else', 'Tribute']);
  index.put('artist', 'a1', ['Björk']);

  it('matches word prefixes, case- and accent-insensitively', () => {
    expect(index.search('artist', 'BJO', 10)).toEqual(['a1']);
    expect(index.search('track', 'hu', 10).sort()).toEqual(['t1', 't2']);
    expect(index.search('track', 'abbey', 10)).toEqual(['t3']);
    expect(index.search('track', 'ehaviour', 10)).toEqual([]);
  });

  it('needs every query word to match some word', () => {
    expect(index.search('track', 'bjork hunt', 10)).toEqual(['t2']);
    expect(index.search('track', 'bjork beatles', 10)).toEqual([]);
  });

  it('ranks title matches over artist and album matches, then alphabetically', () => {
    expect(index.search('track', 'bjork', 10)).toEqual(['t4', 't1', 't2']);
    expect(index.search('track', 'bjork', 1)).toEqual(['t4']);
  });

  it('forgets removed and replaced entries', () => {
    const i = new SearchIndex();
    i.put('album', 'x', ['Old Title']);
    i.put('album', 'x', ['New Title']);
    expect(i.search('album', 'old', 5)).toEqual([]);
    expect(i.search('album', 'new', 5)).toEqual(['x']);
    i.remove('album', 'x');
    expect(i.search('album', 'title', 5)).toEqual([]);
  });

  it('answers empty and punctuation-only queries with nothing', () => {
    expect(index.search('track', '', 10)).toEqual([]);
    expect(index.search('track', ' ?! ', 10)).toEqual([]);
  });

  it('stays correct after many replacements (its word pool is compacted)', () => {
    const i = new SearchIndex();
    for (let n = 0; n < 30_000; n++) i.put('track', `t${n % 100}`, [`Song ${n} alpha beta gamma`]);
    expect(i.search('track', 'alpha', 200)).toHaveLength(100);
    expect(i.search('track', 'song 29999', 5)).toEqual(['t99']);
    expect(i.search('track', 'song 100', 5)).toEqual([]);
  });
});
