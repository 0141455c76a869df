import type { TranscodeFormat, TranscodeSpec } from '../domain/stream-format.js';

interface Profile {
  codec: string;
  /** Encoder options beyond the bitrate. */
  extra: string[];
  /** The muxer of the stream sent while the transcode is made (no seeking back: a pipe). */
  streamMuxer: string;
  /** The muxer of the cached file, with options (it may seek back to finish headers). */
  fileMuxer: string;
}

const PROFILES: Record<TranscodeFormat, Profile> = {
  // Constrained VBR: Opus's default VBR gave 66 kbit/s for 96 asked on pink noise; this keeps the asked average.
  OPUS: { codec: 'libopus', extra: ['-vbr', 'constrained'], streamMuxer: 'ogg', fileMuxer: 'ogg' },
  // The file gets its Xing/LAME header (frame count, encoder delay) written at the end: exact duration.
  MP3: { codec: 'libmp3lame', extra: [], streamMuxer: 'mp3', fileMuxer: 'mp3' },
  // The file is M4A with its index moved to the front (faststart) so players can seek at once.
  AAC: { codec: 'aac', extra: [], streamMuxer: 'adts', fileMuxer: 'ipod:movflags=+faststart' },
};

export interface TranscodeArgs {
  input: string;
  spec: TranscodeSpec;
  /** Seconds into the input where the output starts (0: the whole file). */
  offsetSeconds: number;
  /** Where the finished file goes (cached); absent for an offset stream, which is never cached. */
  cachePath?: string;
}

/**
 * One ffmpeg process, one encode: audio only, no tags or cover art, to stdout (the progressive
 * stream) and, through the tee muxer, to the file that is cached once complete. Progress
 * (`out_time_us=`, `progress=end`) goes to stderr along with errors.
 */
export function ffmpegArgs({ input, spec, offsetSeconds, cachePath }: TranscodeArgs): string[] {
  const p = PROFILES[spec.format];
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-nostats', '-progress', 'pipe:2'];
  if (offsetSeconds > 0) args.push('-ss', offsetSeconds.toFixed(3));
  args.push('-i', input, '-map', '0:a:0', '-vn', '-sn', '-dn', '-map_metadata', '-1', '-c:a', p.codec, '-b:a', `${spec.bitrate}k`, ...p.extra);
  if (!cachePath) return [...args, '-flush_packets', '1', '-f', p.streamMuxer, 'pipe:1'];
  return [...args, '-flush_packets', '1', '-f', 'tee', `[f=${p.streamMuxer}:onfail=abort]pipe\\:1|[f=${p.fileMuxer}]${escapeTee(cachePath)}`];
}

/** Tee's slave syntax reserves these characters. */
function escapeTee(path: string): string {
  return path.replace(/[\\|[\]:']/g, (c) => `\\${c}`);
}
