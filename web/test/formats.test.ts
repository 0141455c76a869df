import { describe, expect, it } from 'vitest';
import { chooseFormat, playableType, transcodeFor } from '../src/features/player/formats';

// What Debian's Chromium answers (checked with canPlayType and by playing the files): ALAC and
// WMA do not play, "audio/mp4" alone is a "maybe".
const CHROMIUM: Record<string, string> = {
  'audio/mpeg': 'probably',
  'audio/flac': 'probably',
  'audio/mp4': 'maybe',
  'audio/mp4; codecs="mp4a.40.2"': 'probably',
  'audio/mp4; codecs="alac"': '',
  'audio/ogg': 'maybe',
  'audio/ogg; codecs="opus"': 'probably',
  'audio/ogg; codecs="vorbis"': 'probably',
  'audio/x-ms-wma': '',
  'audio/aiff': '',
  'audio/wavpack': '',
  'audio/ape': '',
};
const chromium = (type: string) => (CHROMIUM[type] ?? '') !== '';

describe('choosing the stream format from canPlayType', () => {
  it('asks about the codec where the container holds several', () => {
    expect(playableType({ mimeType: 'audio/mp4', codec: 'ALAC' })).toBe('audio/mp4; codecs="alac"');
    expect(playableType({ mimeType: 'audio/mp4', codec: 'MPEG-4/AAC' })).toBe('audio/mp4; codecs="mp4a.40.2"');
    expect(playableType({ mimeType: 'audio/ogg', codec: 'Opus' })).toBe('audio/ogg; codecs="opus"');
    expect(playableType({ mimeType: 'audio/mpeg', codec: 'MPEG 1 Layer 3' })).toBe('audio/mpeg');
    expect(playableType({ mimeType: 'audio/mp4', codec: 'something new' })).toBe('audio/mp4');
  });

  it('keeps the original where the browser plays it', () => {
    expect(chooseFormat({ mimeType: 'audio/mpeg', codec: 'MPEG 1 Layer 3' }, chromium)).toBe('ORIGINAL');
    expect(chooseFormat({ mimeType: 'audio/flac', codec: 'FLAC' }, chromium)).toBe('ORIGINAL');
    expect(chooseFormat({ mimeType: 'audio/mp4', codec: 'MPEG-4/AAC' }, chromium)).toBe('ORIGINAL');
    expect(chooseFormat({ mimeType: 'audio/ogg', codec: 'Vorbis I' }, chromium)).toBe('ORIGINAL');
  });

  it('asks for OPUS where it does not (ALAC, WMA, AIFF, WavPack, APE)', () => {
    for (const [mimeType, codec] of [
      ['audio/mp4', 'ALAC'],
      ['audio/x-ms-wma', 'Windows Media Audio V8'],
      ['audio/aiff', 'PCM'],
      ['audio/wavpack', 'WavPack'],
      ['audio/ape', "Monkey's Audio"],
    ])
      expect(chooseFormat({ mimeType: mimeType!, codec: codec! }, chromium), mimeType).toBe('OPUS');
  });

  it('falls back to MP3 where OPUS does not play, then AAC', () => {
    const noOpus = (t: string) => t !== 'audio/ogg; codecs="opus"' && chromium(t);
    expect(chooseFormat({ mimeType: 'audio/mp4', codec: 'ALAC' }, noOpus)).toBe('MP3');
    expect(transcodeFor((t) => t.startsWith('audio/mp4'))).toBe('AAC');
  });

  it('an unknown or malformed source (an old stored queue) asks for ORIGINAL', () => {
    expect(chooseFormat(undefined, chromium)).toBe('ORIGINAL');
    expect(chooseFormat({} as never, chromium)).toBe('ORIGINAL');
  });
});
