import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Input containers the transcoding tests make with ffmpeg, each with its encoder and MIME type. */
export const INPUTS = {
  MP3: { ext: 'mp3', args: ['-c:a', 'libmp3lame', '-b:a', '256k'], mimeType: 'audio/mpeg' },
  FLAC: { ext: 'flac', args: ['-c:a', 'flac'], mimeType: 'audio/flac' },
  VORBIS: { ext: 'ogg', args: ['-c:a', 'libvorbis', '-q:a', '6'], mimeType: 'audio/ogg' },
  OPUS: { ext: 'opus', args: ['-c:a', 'libopus', '-b:a', '160k'], mimeType: 'audio/ogg' },
  M4A: { ext: 'm4a', args: ['-c:a', 'aac', '-b:a', '256k'], mimeType: 'audio/mp4' },
} as const;
export type InputKind = keyof typeof INPUTS;

/**
 * Writes `seconds` of stereo music-like audio (pink noise under a tone, so encoders spend their
 * bitrate) in the given container. `silentUntil` keeps the start silent up to that second (a
 * marker that seek tests find again in the output). `encoder` replaces the kind's encoder options.
 */
export async function writeAudio(
  path: string,
  kind: InputKind,
  seconds: number,
  silentUntil = 0,
  encoder: readonly string[] = INPUTS[kind].args,
): Promise<{ size: number; durationSeconds: number }> {
  const gate = silentUntil > 0 ? `,volume=enable='lt(t,${silentUntil})':volume=0` : '';
  await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      `anoisesrc=color=pink:amplitude=0.4:duration=${seconds}:sample_rate=44100`,
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=330:duration=${seconds}:sample_rate=44100`,
      '-filter_complex',
      `[0][1]amix=inputs=2,aformat=channel_layouts=stereo${gate}`,
      ...encoder,
      '-y',
      path,
    ],
    { timeout: 60_000 },
  );
  return { size: statSync(path).size, durationSeconds: seconds };
}

export interface Probe {
  codec: string;
  /** bits per second of the whole file */
  bitrate: number;
  duration: number;
}

/** ffprobe's codec of the first audio stream, and the file's duration and bitrate. */
export async function probe(pathOrUrl: string): Promise<Probe> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=codec_name:format=duration,bit_rate', '-of', 'json', pathOrUrl],
    { timeout: 30_000 },
  );
  const j = JSON.parse(stdout) as { streams: Array<{ codec_name: string }>; format: { duration: string; bit_rate: string } };
  return { codec: j.streams[0]?.codec_name ?? '', bitrate: Number(j.format.bit_rate), duration: Number(j.format.duration) };
}

/** Where silence ends in a file (seconds), by ffmpeg's silencedetect; 0 when it starts with sound. */
export async function soundStartsAt(path: string): Promise<number> {
  const { stderr } = await run('ffmpeg', ['-hide_banner', '-nostats', '-i', path, '-af', 'silencedetect=noise=-40dB:d=0.1', '-f', 'null', '-'], {
    timeout: 30_000,
  });
  const start = /silence_start: (-?[\d.]+)/.exec(stderr);
  const end = /silence_end: ([\d.]+)/.exec(stderr);
  if (!start || Number(start[1]) > 0.05 || !end) return 0;
  return Number(end[1]);
}
