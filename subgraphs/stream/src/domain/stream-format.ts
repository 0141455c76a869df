import { BadUserInputError } from '@ytm/errors';

/** What a ticket URL serves: the file's own bytes, or a transcode made by ffmpeg. */
export type StreamFormat = 'ORIGINAL' | 'OPUS' | 'MP3' | 'AAC';
export type TranscodeFormat = Exclude<StreamFormat, 'ORIGINAL'>;

/** A transcoded stream: its format and bitrate in kbit/s. */
export interface TranscodeSpec {
  format: TranscodeFormat;
  bitrate: number;
}

/** The bitrate a format is served at when nothing lower is asked for or allowed (kbit/s). */
export const FORMAT_DEFAULT_KBPS: Readonly<Record<TranscodeFormat, number>> = { OPUS: 128, MP3: 192, AAC: 192 };

/** What each transcoded format is sent as, once finished (cached) and while being made. */
export const FORMAT_MIME: Readonly<Record<TranscodeFormat, { cached: string; progressive: string }>> = {
  OPUS: { cached: 'audio/ogg', progressive: 'audio/ogg' },
  MP3: { cached: 'audio/mpeg', progressive: 'audio/mpeg' },
  // MP4 needs its index written at the end: while being made, AAC streams as ADTS.
  AAC: { cached: 'audio/mp4', progressive: 'audio/aac' },
};

/** Bounds of an asked-for bitrate (kbit/s); outside them the request is BAD_USER_INPUT. */
export const MIN_KBPS = 32;
export const MAX_KBPS = 512;
/** LAME encodes constant bitrates from this list only; others would be rounded by the encoder. */
const MP3_KBPS = [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];

export interface PlaybackChoice {
  format: StreamFormat;
  /** kbit/s of a transcode; null for ORIGINAL. */
  bitrate: number | null;
}

export interface SourceFile {
  /** Bits per second as the library read it; absent: estimated from size and duration. */
  bitrate?: number;
  size: number;
  durationSeconds: number;
  mimeType: string;
}

/**
 * Decides what a ticket serves (api-next.graphql, requestPlayback):
 * - a transcoded format at min(asked, plan cap, the format's default);
 * - ORIGINAL stays the file unless the cap (asked or plan) is below the file's bitrate: then OPUS
 *   at the cap, or MP3 when the file is MP3 (a client that plays the original plays MP3, not
 *   necessarily Opus).
 */
export function choosePlayback(asked: StreamFormat, maxBitrate: number | null | undefined, planMaxBitrate: number | null, file: SourceFile): PlaybackChoice {
  if (maxBitrate !== undefined && maxBitrate !== null && (!Number.isInteger(maxBitrate) || maxBitrate < MIN_KBPS || maxBitrate > MAX_KBPS)) {
    throw new BadUserInputError(`maxBitrate must be a whole number of kbit/s from ${MIN_KBPS} to ${MAX_KBPS}`, 'maxBitrate');
  }
  const cap = minOf(maxBitrate ?? null, planMaxBitrate);
  if (asked !== 'ORIGINAL') return { format: asked, bitrate: bitrateFor(asked, cap) };
  if (cap === null) return { format: 'ORIGINAL', bitrate: null };
  const fileKbps = sourceKbps(file);
  if (fileKbps !== null && fileKbps <= cap) return { format: 'ORIGINAL', bitrate: null };
  const format: TranscodeFormat = file.mimeType === 'audio/mpeg' ? 'MP3' : 'OPUS';
  return { format, bitrate: bitrateFor(format, cap) };
}

/** The bitrate a format is made at under a cap (kbit/s). */
export function bitrateFor(format: TranscodeFormat, cap: number | null): number {
  const kbps = Math.max(MIN_KBPS, minOf(cap, FORMAT_DEFAULT_KBPS[format]) as number);
  if (format !== 'MP3') return kbps;
  return MP3_KBPS.filter((b) => b <= kbps).pop() ?? MP3_KBPS[0]!;
}

/** The file's bitrate in kbit/s: the library's, else its average; null when neither is known. */
export function sourceKbps(file: SourceFile): number | null {
  if (file.bitrate !== undefined && file.bitrate > 0) return file.bitrate / 1000;
  if (file.size > 0 && file.durationSeconds > 0) return (file.size * 8) / file.durationSeconds / 1000;
  return null;
}

function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}
