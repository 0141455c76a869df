// Music folders made by ffmpeg: short synthesised tracks (an arpeggiated chord progression over a
// bass line), tagged (title, artist, album artist, album, track n/total, year, genre) with a cover
// picture per album, embedded in MP3s and beside the files as cover.png.
// Used by `npm start` for the demo library of a first run, and by the web player's browser tests.
//   node scripts/music.mjs <dir>      writes the demo library into <dir>
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The demo library `npm start` writes into an empty default music folder: clearly named as such. */
export const DEMO_FOLDER = 'YTM demo library';
export const DEMO_ALBUMS = [
  {
    artist: 'The Demo Tones',
    album: 'Morning Patterns (Demo)',
    year: 2024,
    genre: 'Ambient',
    colors: ['0x1d2b64', '0xf8cdda'],
    tracks: ['Sunrise Loop', 'Open Windows', 'Coffee Steam', 'Long Shadows'],
  },
  {
    artist: 'The Demo Tones',
    album: 'City Arpeggios (Demo)',
    year: 2025,
    genre: 'Electronic',
    colors: ['0xff512f', '0xf09819'],
    tracks: ['Night Bus', 'Crosswalk', 'Neon Rain', 'Last Train'],
  },
  {
    artist: 'Demo Quartet',
    album: 'Slow Hours (Demo)',
    year: 2023,
    genre: 'Jazz',
    colors: ['0x134e5e', '0x71b280'],
    tracks: ['Blue Afternoon', 'Quiet Room', 'Rain on Glass', 'Goodnight'],
  },
];

/** ffmpeg output options and file extension per encoding (tags by -metadata; MP3 also embeds the cover). */
const ENCODINGS = {
  mp3: { ext: 'mp3', args: ['-c:a', 'libmp3lame', '-b:a', '64k', '-c:v', 'png', '-disposition:v', 'attached_pic', '-id3v2_version', '3'], cover: true },
  alac: { ext: 'm4a', args: ['-c:a', 'alac'], cover: false },
  wma: { ext: 'wma', args: ['-c:a', 'wmav2', '-b:a', '48k'], cover: false },
};

/**
 * Writes `albums` under `dir` (<artist>/<album>/NN Title.ext); `seconds` per track. Runs two
 * ffmpeg processes at a time and reports each finished track to `progress(done, total, file)`.
 * An album's `encodings[i]` picks a format other than MP3 for its i-th track. Returns the number
 * of tracks written.
 * @param {string} dir
 * @param {Array<{ artist: string, album: string, year: number, genre: string, colors: string[], tracks: string[], encodings?: string[] }>} albums
 * @param {{ seconds?: number, progress?: (done: number, total: number, file: string) => void, ffmpeg?: string }} [options]
 */
export async function writeMusic(dir, albums, { seconds = 30, progress = () => {}, ffmpeg = process.env.FFMPEG_PATH ?? 'ffmpeg' } = {}) {
  const run = (args) => runFfmpeg(ffmpeg, args);
  const jobs = [];
  let n = 0;
  for (const a of albums) {
    const albumDir = join(dir, a.artist, a.album);
    mkdirSync(albumDir, { recursive: true });
    const cover = join(albumDir, 'cover.png');
    await run(['-f', 'lavfi', '-i', `color=c=black:s=600x600,format=rgb24,${gradient(a.colors)}`, '-frames:v', '1', cover]);
    a.tracks.forEach((title, i) => {
      n += 1;
      const enc = ENCODINGS[a.encodings?.[i] ?? 'mp3'];
      const file = join(albumDir, `${String(i + 1).padStart(2, '0')} ${title}.${enc.ext}`);
      const tags = { title, artist: a.artist, album_artist: a.artist, album: a.album, track: `${i + 1}/${a.tracks.length}`, date: a.year, genre: a.genre };
      jobs.push({
        file,
        args: [
          ...['-f', 'lavfi', '-i', `aevalsrc=exprs='${tune(n)}':s=22050:d=${seconds}`],
          ...(enc.cover ? ['-i', cover, '-map', '0:a', '-map', '1:v'] : []),
          ...['-af', `afade=t=in:d=0.05,afade=t=out:st=${Math.max(0, seconds - 2)}:d=2`, '-ac', '1'],
          ...enc.args,
          ...Object.entries(tags).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]),
          file,
        ],
      });
    });
  }
  let done = 0;
  const worker = async () => {
    for (let job = jobs.shift(); job; job = jobs.shift()) {
      await run(job.args);
      progress(++done, n, job.file);
    }
  };
  await Promise.all([worker(), worker()]);
  return n;
}

/**
 * The demo library for a first run: written into `dir` only when it holds nothing (a music folder
 * the user filled is never touched). Returns the number of tracks written, 0 when it did nothing.
 * @param {string} dir
 * @param {{ log?: (msg: string) => void, ffmpeg?: string }} [options]
 */
export async function ensureDemoLibrary(dir, { log = () => {}, ffmpeg } = {}) {
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).length > 0) return 0;
  const target = join(dir, DEMO_FOLDER);
  const total = DEMO_ALBUMS.reduce((s, a) => s + a.tracks.length, 0);
  const t0 = Date.now();
  log(`the music folder is empty: writing a demo library (${DEMO_ALBUMS.length} albums, ${total} short synthesised tracks) into ${target}`);
  const n = await writeMusic(target, DEMO_ALBUMS, {
    ...(ffmpeg ? { ffmpeg } : {}),
    progress: (done, all) => log(`demo library: ${done}/${all} tracks`),
  });
  log(`demo library written in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  return n;
}

/** A diagonal gradient between two 0xRRGGBB colours (geq: works with the oldest ffmpeg we provision). */
function gradient([from, to]) {
  const c = (hex) => [0, 2, 4].map((i) => parseInt(hex.slice(2 + i, 4 + i), 16));
  const [a, b] = [c(from), c(to)];
  const ch = (i) => `${a[i]}+(${b[i] - a[i]})*(X+Y)/(W+H)`;
  return `geq=r='${ch(0)}':g='${ch(1)}':b='${ch(2)}'`;
}

const PROGRESSIONS = [
  [0, 7, 9, 5], // I V vi IV
  [0, 5, 7, 5], // I IV V IV
  [9, 5, 0, 7], // vi IV I V
  [0, 9, 5, 7], // I vi IV V
];

/**
 * An aevalsrc expression for track n: eighth-note arpeggios (root, third, fifth, octave) over a
 * four-chord progression, two bars a chord, with a soft bass note per chord. Every note's envelope
 * starts and ends at zero, so changing pitch never clicks.
 */
function tune(n) {
  const root = 196 * 2 ** (((n * 5) % 12) / 12); // a different key per track
  const beat = (60 / (84 + ((n * 13) % 40)) / 2).toFixed(4); // an eighth note at 84–123 bpm
  const prog = PROGRESSIONS[n % PROGRESSIONS.length];
  const pick = (values, index) => values.slice(0, -1).reduceRight((rest, v, i) => `if(eq(${index},${i}),${v},${rest})`, String(values.at(-1)));
  return [
    `st(0,${pick(prog, `mod(floor(t/(8*${beat})),4)`)})`, // the chord's root (semitones above the key)
    `st(1,mod(t,${beat})/${beat})`, // 0..1 within the note
    // root, third (flat on the minor vi), fifth, octave
    `st(2,${root.toFixed(2)}*pow(2,(ld(0)+${pick([0, '4-eq(ld(0),9)', 7, 12], `mod(floor(t/${beat}),4)`)})/12))`,
    `0.35*min(1,ld(1)*40)*pow(1-ld(1),3)*(sin(2*PI*ld(2)*t)+0.3*sin(4*PI*ld(2)*t))` +
      `+0.3*sin(PI*mod(t,8*${beat})/(8*${beat}))*sin(2*PI*${(root / 2).toFixed(2)}*pow(2,ld(0)/12)*t)`,
  ]
    .join(';')
    .replace(/,/g, '\\,');
}

function runFfmpeg(ffmpeg, args) {
  return new Promise((resolve, reject) => {
    const p = spawn(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', (err) => reject(new Error(`cannot run ${ffmpeg}: ${err.message}`)));
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg ${args.join(' ')} failed: ${stderr}`))));
  });
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: node scripts/music.mjs <dir>');
  const n = await writeMusic(dir, DEMO_ALBUMS, { progress: (done, all) => process.stdout.write(`\r${done}/${all} tracks`) });
  console.log(`\nwrote ${n} tracks to ${dir}`);
}
