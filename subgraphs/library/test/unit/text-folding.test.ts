import { describe, expect, it } from '@jest/globals';
import { foldText, nameKey, searchWords, sortKeyOf, sortNameOf } from '../../src/domain/text-folding.js';

describe('search normalisation', () => {
  it('folds case and accents', () => {
    expect(foldText('Beyoncé ÀÉÎÕÜ')).toBe('beyonce aeiou');
    expect(foldText('Straße Ærøskøbing Łódź Þór')).toBe('strasse aeroskobing lodz thor');
    expect(foldText('ｆｕｌｌｗｉｄｔｈ')).toBe('fullwidth');
  });

  it('splits words on punctuation and joins apostrophes', () => {
    expect(searchWords("Don't Stop Me Now!")).toEqual(['dont', 'stop', 'me', 'now']);
    expect(searchWords('AC/DC - Back-in-Black (Live)')).toEqual(['ac', 'dc', 'back', 'in', 'black', 'live']);
    expect(searchWords('Sigur Rós – Ágætis byrjun')).toEqual(['sigur', 'ros', 'agaetis', 'byrjun']);
    expect(searchWords('東京事変')).toEqual(['東京事変']);
    expect(searchWords('  ...  ')).toEqual([]);
  });

  it('makes name keys whitespace-insensitive', () => {
    expect(nameKey('  The   Beatles ')).toBe('the beatles');
  });

  it('sorts names without leading articles', () => {
    expect(sortNameOf('The Beatles')).toBe('Beatles, The');
    expect(sortNameOf('Theatre of Tragedy')).toBe('Theatre of Tragedy');
    expect(sortNameOf('The')).toBe('The');
    expect(sortKeyOf('The Beatles')).toBe('beatles');
    expect(sortKeyOf('Éclair')).toBe('eclair');
  });
});
