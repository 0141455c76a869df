/** What `requestPlayback(format:)` accepts (the API's StreamFormat). */
export type StreamFormat = 'ORIGINAL' | 'OPUS' | 'MP3' | 'AAC';

/** A track's file as the library describes it (`Track.format`). */
export interface SourceFormat {
  mimeType: string;
  codec: string;
}

/** What each transcode is served as (stream service: Ogg Opus, MP3, AAC in M4A/ADTS). */
export const TRANSCODE_TYPES: ReadonlyArray<[Exclude<StreamFormat, 'ORIGINAL'>, string]> = [
  ['OPUS', 'audio/ogg; codecs="opus"'],
  ['MP3', 'audio/mpeg'],
  ['AAC', 'audio/mp4; codecs="mp4a.40.2"'],
];

// Containers that hold several codecs: the MIME type alone cannot say (Chromium answers "maybe"
// for audio/mp4 and then fails on ALAC), so the codec goes in as RFC 6381 `codecs`.
const CODECS: Array<[RegExp, string]> = [
  [/alac/i, 'alac'],
  [/aac|mp4a/i, 'mp4a.40.2'],
  [/opus/i, 'opus'],
  [/vorbis/i, 'vorbis'],
  [/flac/i, 'flac'],
  [/layer 3|mp3/i, 'mp3'],
];

/** The MIME type to ask `canPlayType` about: with its codec where the container is ambiguous. */
export function playableType(source: SourceFormat): string {
  const mime = source.mimeType.toLowerCase().split(';')[0]!.trim();
  if (mime !== 'audio/mp4' && mime !== 'audio/ogg') return mime;
  const codec = CODECS.find(([re]) => re.test(String(source.codec ?? '')))?.[1];
  return codec ? `${mime}; codecs="${codec}"` : mime;
}

/**
 * ORIGINAL when this browser can play the file, else the first transcode it can: OPUS, then MP3,
 * then AAC. `canPlay` is `audio.canPlayType(type) !== ''`. An unknown source (a queue stored by an
 * older version) asks for ORIGINAL; the ticket's own MIME type is checked afterwards.
 */
export function chooseFormat(source: SourceFormat | null | undefined, canPlay: (type: string) => boolean): StreamFormat {
  if (!source || typeof source.mimeType !== 'string' || canPlay(playableType(source))) return 'ORIGINAL';
  return transcodeFor(canPlay);
}

/** The transcode this browser plays (OPUS unless it cannot). */
export function transcodeFor(canPlay: (type: string) => boolean): Exclude<StreamFormat, 'ORIGINAL'> {
  return TRANSCODE_TYPES.find(([, type]) => canPlay(type))?.[0] ?? 'MP3';
}
