import { describe, expect, it } from '@jest/globals';
import { normalizeTags, TAG_LIMITS, titleFromPath } from '../../src/domain/tags.js';

const names = (t: ReturnType<typeof normalizeTags>) => t.artists.map((a) => a.name);

describe('normalizeTags', () => {
  it('keeps multi-valued artist tags in order and drops duplicates', () => {
    const t = normalizeTags({ artists: ['Jay-Z', 'Beyoncé', 'jay-z'] }, '/m/x.mp3');
    expect(names(t)).toEqual(['Jay-Z', 'Beyoncé']);
  });

  it('splits "; ", " / ", " feat. ", " ft. " and " featuring "', () => {
    expect(names(normalizeTags({ artist: 'A; B' }, '/x.mp3'))).toEqual(['A', 'B']);
    expect(names(normalizeTags({ artist: 'A / B' }, '/x.mp3'))).toEqual(['A', 'B']);
    expect(names(normalizeTags({ artist: 'Daft Punk feat. Pharrell Williams' }, '/x.mp3'))).toEqual(['Daft Punk', 'Pharrell Williams']);
    expect(names(normalizeTags({ artist: 'A Ft. B' }, '/x.mp3'))).toEqual(['A', 'B']);
    expect(names(normalizeTags({ artist: 'A featuring B;C' }, '/x.mp3'))).toEqual(['A', 'B', 'C']);
  });

  it('keeps "&", "/" without spaces and commas inside one name', () => {
    expect(names(normalizeTags({ artist: 'Simon & Garfunkel' }, '/x.mp3'))).toEqual(['Simon & Garfunkel']);
    expect(names(normalizeTags({ artist: 'AC/DC' }, '/x.mp3'))).toEqual(['AC/DC']);
    expect(names(normalizeTags({ artist: 'Crosby, Stills, Nash & Young' }, '/x.mp3'))).toEqual(['Crosby, Stills, Nash & Young']);
    expect(names(normalizeTags({ artist: 'Featherstone' }, '/x.mp3'))).toEqual(['Featherstone']);
  });

  it('uses the album artist tag, else the first track artist', () => {
    expect(normalizeTags({ artist: 'A feat. B', albumArtist: 'The A Band' }, '/x.mp3').albumArtist).toEqual({ name: 'The A Band', sortName: 'A Band, The' });
    expect(normalizeTags({ artist: 'A feat. B' }, '/x.mp3').albumArtist.name).toBe('A');
  });

  it('files compilations under Various Artists', () => {
    const flagged = normalizeTags({ artist: 'X', albumArtist: 'X', compilation: true }, '/x.mp3');
    expect(flagged).toMatchObject({ compilation: true, albumArtist: { name: 'Various Artists' } });
    expect(normalizeTags({ artist: 'X', albumArtist: 'various' }, '/x.mp3')).toMatchObject({ compilation: true, albumArtist: { name: 'Various Artists' } });
    expect(normalizeTags({ artist: 'X', albumArtist: 'VA' }, '/x.mp3').compilation).toBe(true);
    expect(normalizeTags({ artist: 'X' }, '/x.mp3').compilation).toBe(false);
  });

  it('titles an untagged file after its name and credits Unknown Artist', () => {
    const t = normalizeTags({}, '/music/Loose/07 - Some Song.flac');
    expect(t).toMatchObject({ title: '07 - Some Song', album: null, artists: [{ name: 'Unknown Artist' }] });
    expect(titleFromPath('/a/b.c.mp3')).toBe('b.c');
  });

  it('keeps numbers and years within sane ranges', () => {
    expect(normalizeTags({ trackNumber: 3, discNumber: 2, year: 1969 }, '/x.mp3')).toMatchObject({ trackNumber: 3, discNumber: 2, year: 1969 });
    expect(normalizeTags({ trackNumber: 0, discNumber: -1, year: 20 }, '/x.mp3')).toMatchObject({ trackNumber: null, discNumber: null, year: null });
    expect(normalizeTags({ date: '1993-06-05' }, '/x.mp3').year).toBe(1993);
    expect(normalizeTags({ date: 'sometime' }, '/x.mp3').year).toBeNull();
  });

  it('splits and deduplicates genres case-insensitively', () => {
    expect(normalizeTags({ genres: ['Rock;Pop', 'rock', 'Hip-Hop/Rap'] }, '/x.mp3').genres).toEqual(['Rock', 'Pop', 'Hip-Hop', 'Rap']);
  });

  it('takes sort names from tags, else drops a leading article', () => {
    expect(normalizeTags({ artist: 'The Beatles' }, '/x.mp3').artists[0]).toEqual({ name: 'The Beatles', sortName: 'Beatles, The' });
    expect(normalizeTags({ artist: 'Prince', artistSort: 'Prince (artist)' }, '/x.mp3').artists[0]!.sortName).toBe('Prince (artist)');
  });

  it('truncates absurd tags instead of failing', () => {
    const t = normalizeTags(
      {
        title: 'x'.repeat(1_000_000),
        artists: Array.from({ length: 10_000 }, (_, i) => `Artist ${i}`),
        genres: Array.from({ length: 500 }, (_, i) => `g${i}`),
      },
      '/x.mp3',
    );
    expect(t.title).toHaveLength(TAG_LIMITS.text);
    expect(t.artists).toHaveLength(TAG_LIMITS.artists);
    expect(t.genres).toHaveLength(TAG_LIMITS.genres);
    expect(t.truncated).toBe(true);
    expect(normalizeTags({ title: 'ok' }, '/x.mp3').truncated).toBe(false);
  });

  it('removes control characters and collapses whitespace', () => {
    expect(normalizeTags({ title: '  a\u0000b\tc   d ' }, '/x.mp3').title).toBe('a b c d');
    expect(normalizeTags({ title: '   ' }, '/m/name.mp3').title).toBe('name');
  });

  it('accepts only well-formed MusicBrainz IDs', () => {
    expect(normalizeTags({ musicBrainzRecordingId: 'b1a9c0e9-d987-4042-ae91-78d6a3267d69' }, '/x.mp3').musicBrainzRecordingId).toBe(
      'b1a9c0e9-d987-4042-ae91-78d6a3267d69',
    );
    expect(normalizeTags({ musicBrainzRecordingId: 'nope' }, '/x.mp3').musicBrainzRecordingId).toBeNull();
  });
});
