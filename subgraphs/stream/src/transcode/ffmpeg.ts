import { execFile } from 'node:child_process';

/** What stream needs of ffmpeg: libavcodec/libavformat 58+ (ffmpeg 4.0+), these encoders and muxers. */
export const REQUIRED_ENCODERS = ['libopus', 'libmp3lame', 'aac'] as const;
export const REQUIRED_MUXERS = ['tee', 'ogg', 'mp3', 'adts', 'ipod'] as const;
const MIN_LIB_MAJOR = 58;

export interface FfmpegInfo {
  /** The binary as given (a path, or a name looked up on PATH). */
  path: string;
  /** The first line's version, e.g. `5.1.9-0+deb12u1`. */
  version: string;
  libavcodec: string;
}

/** ffmpeg is missing or lacks what transcoding needs; the message says what and how to fix it. */
export class FfmpegUnusableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FfmpegUnusableError';
  }
}

const HOW_TO_FIX =
  'install ffmpeg (Debian: apt-get install ffmpeg), or point FFMPEG_PATH at a build with libopus, libmp3lame and aac; `npm start` and `npm test` provision one when none is found';

/** Runs `ffmpeg -version`, `-encoders` and `-muxers` and checks them; throws FfmpegUnusableError. */
export async function checkFfmpeg(path: string): Promise<FfmpegInfo> {
  const version = await run(path, ['-hide_banner', '-version']);
  const first = /^ffmpeg version (\S+)/m.exec(version)?.[1];
  const codecLib = /^libavcodec\s+(\d+)\.\s*(\d+)\.\s*(\d+)/m.exec(version);
  const formatLib = /^libavformat\s+(\d+)\./m.exec(version);
  if (!first || !codecLib || !formatLib) throw new FfmpegUnusableError(`ffmpeg at "${path}" did not print a version: ${HOW_TO_FIX}`);
  if (Number(codecLib[1]) < MIN_LIB_MAJOR || Number(formatLib[1]) < MIN_LIB_MAJOR) {
    throw new FfmpegUnusableError(`ffmpeg at "${path}" is version ${first} (libavcodec ${codecLib[1]}); 4.0 or newer is needed: ${HOW_TO_FIX}`);
  }
  const encoders = listed(await run(path, ['-hide_banner', '-encoders']), /^\s*A\S*\s+(\S+)/);
  const muxers = listed(await run(path, ['-hide_banner', '-muxers']), /^\s*D?E\s+(\S+)/);
  const missing = [
    ...REQUIRED_ENCODERS.filter((e) => !encoders.has(e)).map((e) => `encoder ${e}`),
    ...REQUIRED_MUXERS.filter((m) => !muxers.has(m)).map((m) => `muxer ${m}`),
  ];
  if (missing.length > 0) throw new FfmpegUnusableError(`ffmpeg at "${path}" (${first}) lacks ${missing.join(', ')}: ${HOW_TO_FIX}`);
  return { path, version: first, libavcodec: `${codecLib[1]}.${codecLib[2]}.${codecLib[3]}` };
}

function listed(output: string, line: RegExp): Set<string> {
  const names = new Set<string>();
  for (const l of output.split('\n')) {
    const m = line.exec(l);
    if (m?.[1]) for (const n of m[1].split(',')) names.add(n);
  }
  return names;
}

function run(path: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(path, args, { timeout: 10_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why = code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'not executable' : `failed (${err.message.split('\n')[0]})`;
        reject(new FfmpegUnusableError(`ffmpeg at "${path}" ${why}: ${HOW_TO_FIX}`));
      } else resolve(stdout);
    });
  });
}
