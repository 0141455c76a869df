import { describe, expect, it } from '@jest/globals';
import { bitrateFor, choosePlayback, sourceKbps } from '../../src/domain/stream-format.js';

const flac = { size: 30_000_000, durationSeconds: 240, mimeType: 'audio/flac' }; // ~1000 kbit/s
const mp3 = { size: 7_680_000, durationSeconds: 240, mimeType: 'audio/mpeg', bitrate: 256_000 };
const lowOpus = { size: 1_920_000, durationSeconds: 240, mimeType: 'audio/ogg' }; // 64 kbit/s

describe('choosePlayback', () => {
  it('ORIGINAL without any cap is the file, as before', () => {
    expect(choosePlayback('ORIGINAL', undefined, null, flac)).toEqual({ format: 'ORIGINAL', bitrate: null });
  });

  it('ORIGINAL above the plan cap: OPUS at the cap, or MP3 for an MP3 file; at or below it: the file', () => {
    expect(choosePlayback('ORIGINAL', undefined, 96, flac)).toEqual({ format: 'OPUS', bitrate: 96 });
    expect(choosePlayback('ORIGINAL', undefined, 96, mp3)).toEqual({ format: 'MP3', bitrate: 96 });
    expect(choosePlayback('ORIGINAL', undefined, 96, lowOpus)).toEqual({ format: 'ORIGINAL', bitrate: null });
    expect(choosePlayback('ORIGINAL', undefined, 256, mp3)).toEqual({ format: 'ORIGINAL', bitrate: null });
  });

  it('ORIGINAL with an asked maxBitrate below the file transcodes too', () => {
    expect(choosePlayback('ORIGINAL', 128, null, flac)).toEqual({ format: 'OPUS', bitrate: 128 });
    expect(choosePlayback('ORIGINAL', 500, null, flac)).toEqual({ format: 'OPUS', bitrate: 128 }); // OPUS default caps
  });

  it('a transcoded format: min(asked, plan, default); MP3 on LAME bitrates', () => {
    expect(choosePlayback('OPUS', undefined, null, flac)).toEqual({ format: 'OPUS', bitrate: 128 });
    expect(choosePlayback('MP3', undefined, null, flac)).toEqual({ format: 'MP3', bitrate: 192 });
    expect(choosePlayback('AAC', 160, null, flac)).toEqual({ format: 'AAC', bitrate: 160 });
    expect(choosePlayback('AAC', 320, 96, flac)).toEqual({ format: 'AAC', bitrate: 96 });
    expect(choosePlayback('MP3', 100, null, flac)).toEqual({ format: 'MP3', bitrate: 96 });
    expect(bitrateFor('MP3', 33)).toBe(32);
  });

  it('a bad maxBitrate is BAD_USER_INPUT', () => {
    for (const bad of [0, 31, 513, 64.5, -1])
      expect(() => choosePlayback('OPUS', bad, null, flac)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });

  it("the file's bitrate: the library's, else size over duration, else unknown", () => {
    expect(sourceKbps(mp3)).toBe(256);
    expect(sourceKbps(lowOpus)).toBe(64);
    expect(sourceKbps({ size: 0, durationSeconds: 0, mimeType: 'audio/flac' })).toBeNull();
  });
});
