// A small music folder for the browser tests and for trying the app by hand: tagged MP3s made by
// ffmpeg (sine tones, a cover picture per album), a few albums and artists, accents in names.
//   node web/e2e/music.mjs <dir>
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const ALBUMS = [
  {
    artist: 'Aurora Lane',
    album: 'Night Drive',
    year: 2021,
    genre: 'Synthpop',
    colors: ['0x1d2b64', '0xf8cdda'],
    tracks: ['Neon Avenue', 'Midnight Static', 'Tail Lights'],
  },
  { artist: 'Aurora Lane', album: 'First Light', year: 2018, genre: 'Synthpop', colors: ['0xff512f', '0xf09819'], tracks: ['Dawn Chorus', 'Paper Planes'] },
  {
    artist: 'Bärbel Quartett',
    album: 'Café Müller',
    year: 2016,
    genre: 'Jazz',
    colors: ['0x134e5e', '0x71b280'],
    tracks: ['Élan', 'Über den Wolken', 'Kaffeehaus'],
  },
  { artist: 'The Long Hours', album: 'Slow Rivers', year: 2023, genre: 'Folk', colors: ['0x614385', '0x516395'], tracks: ['River Song', 'Hollow Pines'] },
  // Files Chromium cannot play as they are (ALAC in M4A, WMA): the player asks for a transcode.
  {
    artist: 'Codec Lab',
    album: 'Odd Formats',
    year: 2020,
    genre: 'Electronic',
    colors: ['0x232526', '0x414345'],
    tracks: ['Apple Lossless', 'Windows Media'],
    encodings: ['alac', 'wma'],
  },
];

/** ffmpeg output options and file extension per encoding (tags by -metadata; MP3 also embeds the cover). */
const ENCODINGS = {
  mp3: { ext: 'mp3', args: ['-c:a', 'libmp3lame', '-b:a', '48k', '-c:v', 'png', '-disposition:v', 'attached_pic', '-id3v2_version', '3'], cover: true },
  alac: { ext: 'm4a', args: ['-c:a', 'alac'], cover: false },
  wma: { ext: 'wma', args: ['-c:a', 'wmav2', '-b:a', '48k'], cover: false },
};

/** Writes the folder; `seconds` per track (long enough to seek and to see time advance). */
export function writeMusic(dir, seconds = 40) {
  mkdirSync(dir, { recursive: true });
  let n = 0;
  for (const a of ALBUMS) {
    const albumDir = join(dir, a.artist, a.album);
    mkdirSync(albumDir, { recursive: true });
    const cover = join(albumDir, 'cover.png');
    ffmpeg(['-f', 'lavfi', '-i', `gradients=s=600x600:c0=${a.colors[0]}:c1=${a.colors[1]}:x0=0:y0=0:x1=600:y1=600:d=1`, '-frames:v', '1', cover]);
    a.tracks.forEach((title, i) => {
      n += 1;
      const enc = ENCODINGS[a.encodings?.[i] ?? 'mp3'];
      const file = join(albumDir, `${String(i + 1).padStart(2, '0')} ${title}.${enc.ext}`);
      ffmpeg([
        '-f',
        'lavfi',
        '-i',
        `sine=frequency=${220 + n * 30}:duration=${seconds}:sample_rate=22050`,
        ...(enc.cover ? ['-i', cover, '-map', '0:a', '-map', '1:v'] : []),
        '-ac',
        '1',
        ...enc.args,
        '-metadata',
        `title=${title}`,
        '-metadata',
        `artist=${a.artist}`,
        '-metadata',
        `album_artist=${a.artist}`,
        '-metadata',
        `album=${a.album}`,
        '-metadata',
        `track=${i + 1}/${a.tracks.length}`,
        '-metadata',
        `date=${a.year}`,
        '-metadata',
        `genre=${a.genre}`,
        file,
      ]);
    });
  }
  return n;
}

function ffmpeg(args) {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr}`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: node web/e2e/music.mjs <dir>');
  console.log(`wrote ${writeMusic(dir)} tracks to ${dir}`);
}
