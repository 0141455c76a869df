import { describe, expect, it } from '@jest/globals';
import { albumIdOf, artistIdOf, imageIdOf, trackIdentityOf, trackIdOf } from '../../src/domain/identity.js';

const base = { musicBrainzRecordingId: null, albumId: 'al_x', discNumber: 1, trackNumber: 2, title: 'Song', duration: 200.4 };

describe('stable IDs', () => {
  it('derives artist and album IDs from case-, accent- and space-insensitive names', () => {
    expect(artistIdOf('Björk')).toBe(artistIdOf('BJORK'));
    expect(artistIdOf('The  Beatles ')).toBe(artistIdOf('the beatles'));
    expect(artistIdOf('Beatles')).not.toBe(artistIdOf('The Beatles'));
    expect(albumIdOf('The Beatles', 'Abbey Road')).toBe(albumIdOf('the beatles', 'ABBEY ROAD'));
    expect(albumIdOf('A', 'Greatest Hits')).not.toBe(albumIdOf('B', 'Greatest Hits'));
    expect(artistIdOf('x')).toMatch(/^ar_[A-Za-z0-9_-]{20}$/);
  });

  it('identifies a track by MusicBrainz recording ID when tagged', () => {
    const a = trackIdentityOf({ ...base, musicBrainzRecordingId: 'B1A9C0E9-D987-4042-AE91-78D6A3267D69' });
    const b = trackIdentityOf({ ...base, title: 'Other title', musicBrainzRecordingId: 'b1a9c0e9-d987-4042-ae91-78d6a3267d69' });
    expect(a).toBe(b);
  });

  it('else by album, disc, track, title and whole-second duration (not by path)', () => {
    expect(trackIdentityOf(base)).toBe(trackIdentityOf({ ...base, title: 'SONG', duration: 200.1 }));
    expect(trackIdentityOf(base)).not.toBe(trackIdentityOf({ ...base, trackNumber: 3 }));
    expect(trackIdentityOf(base)).not.toBe(trackIdentityOf({ ...base, discNumber: 2 }));
    expect(trackIdentityOf(base)).not.toBe(trackIdentityOf({ ...base, albumId: 'al_y' }));
    expect(trackIdentityOf(base)).not.toBe(trackIdentityOf({ ...base, duration: 230 }));
  });

  it('gives one ID per identity, and a path-salted one for a second copy', () => {
    const identity = trackIdentityOf(base);
    expect(trackIdOf(identity)).toBe(trackIdOf(identity));
    expect(trackIdOf(identity, '/m/copy.mp3')).not.toBe(trackIdOf(identity));
    expect(trackIdOf(identity, '/m/copy.mp3')).not.toBe(trackIdOf(identity, '/m/other.mp3'));
  });

  it('addresses images by content', () => {
    expect(imageIdOf(Buffer.from('abc'))).toBe(imageIdOf(new Uint8Array([97, 98, 99])));
    expect(imageIdOf(Buffer.from('abc'))).toHaveLength(32);
    expect(imageIdOf(Buffer.from('abd'))).not.toBe(imageIdOf(Buffer.from('abc')));
  });
});
