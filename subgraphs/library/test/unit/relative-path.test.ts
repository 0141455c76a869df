import { describe, expect, it } from '@jest/globals';
import { relativeToRoots } from '../../src/grpc/library.grpc-server.js';

describe('relativeToRoots (the path a playlist export lists)', () => {
  it('is relative to the music folder that holds the file, with / separators', () => {
    expect(relativeToRoots('/music/A/B/01 x.flac', ['/other', '/music'])).toBe('A/B/01 x.flac');
    expect(relativeToRoots('/music/A/B/01 x.flac', ['/music/'])).toBe('A/B/01 x.flac');
  });
  it('never climbs out of a folder that only shares a prefix, and falls back to the file name', () => {
    expect(relativeToRoots('/music2/A/x.mp3', ['/music'])).toBe('x.mp3');
    expect(relativeToRoots('/elsewhere/x.mp3', [])).toBe('x.mp3');
  });
});
