// Generates real tagged audio files with ffmpeg (Debian package `ffmpeg`) for the integration tests.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface AudioSpec {
  /** Relative to the corpus root; the extension picks the format. */
  path: string;
  tags?: Record<string, string | string[]>;
  seconds?: number;
  /** Embeds this image (made with ffmpeg) as the front cover. */
  coverColor?: string;
}

const CODECS: Record<string, string[]> = {
  '.mp3': ['-c:a', 'libmp3lame', '-b:a', '64k', '-id3v2_version', '4'],
  '.flac': ['-c:a', 'flac'],
  '.ogg': ['-c:a', 'libvorbis', '-q:a', '0'],
  '.opus': ['-c:a', 'libopus', '-b:a', '32k'],
  '.m4a': ['-c:a', 'aac', '-b:a', '64k'],
  '.wav': ['-c:a', 'pcm_s16le'],
};

export async function ffmpegAvailable(): Promise<boolean> {
  return run('ffmpeg', ['-version']).then(
    () => true,
    () => false,
  );
}

/** A solid-colour JPEG or PNG. */
export async function makeImage(path: string, color: string, size = 300): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await run('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `color=c=${color}:s=${size}x${size}`, '-frames:v', '1', path]);
}

export async function makeAudio(root: string, spec: AudioSpec): Promise<string> {
  const path = join(root, spec.path);
  await mkdir(dirname(path), { recursive: true });
  const ext = path.slice(path.lastIndexOf('.')).toLowerCase();
  const args = ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=330:sample_rate=44100:duration=${spec.seconds ?? 1}`];
  let cover: string | undefined;
  if (spec.coverColor) {
    cover = `${path}.cover.jpg`;
    await makeImage(cover, spec.coverColor, 200);
    args.push('-i', cover, '-map', '0:a', '-map', '1:v', '-c:v', 'mjpeg', '-disposition:v', 'attached_pic', '-metadata:s:v', 'comment=Cover (front)');
  }
  args.push(...(CODECS[ext] ?? []));
  for (const [key, value] of Object.entries(spec.tags ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) args.push('-metadata', `${key}=${v}`);
  }
  args.push(path);
  await run('ffmpeg', args);
  if (cover) await import('node:fs/promises').then((fs) => fs.rm(cover!));
  return path;
}

export async function makeCorrupt(root: string, relative: string, bytes = 'this is not audio at all'): Promise<string> {
  const path = join(root, relative);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
  return path;
}
