import { describe, expect, it } from '@jest/globals';
import { fromTags, parseLrc } from '../../src/domain/lyrics.js';

describe('parseLrc', () => {
  it('reads timed lines (several times per line), sorted, with the [la:] language', () => {
    const lrc = '\uFEFF[ar:Someone]\n[la:en]\n[00:12.50]Second\n[00:01.00][00:20.123]First and again\n\n[01:02]Third';
    expect(parseLrc(lrc)).toEqual({
      synced: true,
      language: 'en',
      lines: [
        { startMs: 1000, text: 'First and again' },
        { startMs: 12500, text: 'Second' },
        { startMs: 20123, text: 'First and again' },
        { startMs: 62000, text: 'Third' },
      ],
    });
  });

  it('takes text without times as unsynced, and nothing as null', () => {
    expect(parseLrc('one\r\ntwo\n')).toEqual({
      synced: false,
      language: null,
      lines: [
        { startMs: null, text: 'one' },
        { startMs: null, text: 'two' },
      ],
    });
    expect(parseLrc('[ti:Only tags]\n\n')).toBeNull();
  });
});

describe('fromTags', () => {
  it('prefers a synced tag (SYLT) and keeps its language', () => {
    const tags = [
      { language: 'eng', text: 'plain words', syncText: [] },
      {
        language: 'deu',
        syncText: [
          { text: 'b', timestamp: 2000 },
          { text: 'a', timestamp: 1000 },
        ],
      },
    ];
    expect(fromTags(tags)).toEqual({
      synced: true,
      language: 'deu',
      lines: [
        { startMs: 1000, text: 'a' },
        { startMs: 2000, text: 'b' },
      ],
    });
  });

  it('falls back to unsynced text split in lines; no tags is null', () => {
    expect(fromTags([{ language: 'XXX', text: 'Hello\nworld', syncText: [] }])).toEqual({
      synced: false,
      language: null,
      lines: [
        { startMs: null, text: 'Hello' },
        { startMs: null, text: 'world' },
      ],
    });
    expect(fromTags([])).toBeNull();
    // music-metadata reports an ID3 USLT frame without syncText.
    expect(fromTags([{ language: 'eng', text: 'Plain words\nAnother line' }])).toEqual({
      synced: false,
      language: 'eng',
      lines: [
        { startMs: null, text: 'Plain words' },
        { startMs: null, text: 'Another line' },
      ],
    });
  });
});
