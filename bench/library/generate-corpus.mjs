#!/usr/bin/env node
// Generates N tagged audio files fast: ffmpeg makes a few untagged templates once, then every file
// is a hand-written tag (ID3v2.4 for MP3, Vorbis comments for FLAC) in front of a template's audio.
//
//   node bench/library/generate-corpus.mjs <dir> <count> [--flac=0.2] [--tracks-per-album=10] [--seed=1]
//
// Layout: <dir>/<Artist>/<Album>/<NN> <Title>.mp3|flac, with accented and multi-word names so
// search has something to chew on. Deterministic for a given seed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const WORDS = [
  'love',
  'night',
  'dream',
  'fire',
  'heart',
  'river',
  'summer',
  'winter',
  'shadow',
  'light',
  'electric',
  'golden',
  'blue',
  'rain',
  'city',
  'ocean',
  'star',
  'wild',
  'silent',
  'dancing',
  'forever',
  'midnight',
  'paradise',
  'thunder',
  'velvet',
  'crystal',
  'ghost',
  'neon',
  'echo',
  'café',
  'début',
  'niño',
  'über',
  'señor',
  'garçon',
  'smörgås',
  'fjörd',
  'ça',
  'mañana',
  'élan',
  'naïve',
  'rêve',
  'crème',
  'zoë',
  'björn',
  'kingdom',
  'machine',
  'garden',
  'mirror',
  'desert',
  'highway',
  'memory',
  'signal',
  'harbor',
  'window',
  'morning',
  'journey',
  'empire',
  'storm',
];
// Real collections have large vocabularies with a few very common words: a Zipf-like mix of
// the common words above and ~8,000 made-up ones (syllable pairs and triples).
const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'sa', 'to', 'vi', 'dor', 'el', 'ny', 'qua', 'bri', 'zen', 'ful', 'ma', 'ri', 'sol', 'tan', 've', 'ghe'];
const RARE = [];
for (const a of SYLLABLES) for (const b of SYLLABLES) RARE.push(a + b);
for (const a of SYLLABLES) for (const b of SYLLABLES) for (const c of SYLLABLES.slice(0, 18)) RARE.push(a + b + c);
const pickWord = (rand) => (rand() < 0.35 ? WORDS[Math.floor(rand() * WORDS.length)] : RARE[Math.floor(RARE.length * rand() ** 2)]);

const GENRES = ['Rock', 'Pop', 'Jazz', 'Electronic', 'Hip-Hop', 'Classical', 'Folk', 'Metal', 'Soul', 'Ambient'];

/** Small deterministic PRNG (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cap = (w) => w.charAt(0).toUpperCase() + w.slice(1);
const phrase = (rand, n) => Array.from({ length: n }, () => cap(pickWord(rand))).join(' ');

/** Untagged MP3 and FLAC audio made once with ffmpeg (cached per directory). */
export function templates(cacheDir = join(tmpdir(), 'ytm-bench-templates')) {
  mkdirSync(cacheDir, { recursive: true });
  const make = (name, args) => {
    const path = join(cacheDir, name);
    if (!existsSync(path))
      execFileSync('ffmpeg', [
        '-loglevel',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        `sine=frequency=440:sample_rate=22050:duration=${args.seconds}`,
        '-ac',
        '1',
        '-map_metadata',
        '-1',
        ...args.codec,
        path,
      ]);
    return readFileSync(path);
  };
  const mp3 = [1, 2, 3].map((s) => make(`t${s}.mp3`, { seconds: s, codec: ['-c:a', 'libmp3lame', '-b:a', '32k', '-id3v2_version', '0', '-write_xing', '1'] }));
  const flac = [1, 2].map((s) => flacAudio(make(`t${s}.flac`, { seconds: s, codec: ['-c:a', 'flac'] })));
  return { mp3, flac };
}

const syncsafe = (n) => Buffer.from([(n >>> 21) & 0x7f, (n >>> 14) & 0x7f, (n >>> 7) & 0x7f, n & 0x7f]);

function id3Frame(id, body) {
  return Buffer.concat([Buffer.from(id, 'latin1'), syncsafe(body.length), Buffer.from([0, 0]), body]);
}
const textFrame = (id, values) => id3Frame(id, Buffer.concat([Buffer.from([3]), Buffer.from([values].flat().join('\u0000'), 'utf8')]));

/** An ID3v2.4 tag (UTF-8 text frames; multi-valued frames NUL-separated as v2.4 allows). */
export function id3v24(tags, picture) {
  const frames = [];
  if (tags.title) frames.push(textFrame('TIT2', tags.title));
  if (tags.artists) frames.push(textFrame('TPE1', tags.artists));
  if (tags.albumArtist) frames.push(textFrame('TPE2', tags.albumArtist));
  if (tags.album) frames.push(textFrame('TALB', tags.album));
  if (tags.track) frames.push(textFrame('TRCK', String(tags.track)));
  if (tags.disc) frames.push(textFrame('TPOS', String(tags.disc)));
  if (tags.year) frames.push(textFrame('TDRC', String(tags.year)));
  if (tags.genres) frames.push(textFrame('TCON', tags.genres));
  if (tags.compilation) frames.push(textFrame('TCMP', '1'));
  if (picture) frames.push(id3Frame('APIC', Buffer.concat([Buffer.from([0]), Buffer.from('image/jpeg\u0000', 'latin1'), Buffer.from([3, 0]), picture])));
  const body = Buffer.concat(frames);
  return Buffer.concat([Buffer.from('ID3', 'latin1'), Buffer.from([4, 0, 0]), syncsafe(body.length), body]);
}

/** The audio frames of a FLAC file with STREAMINFO kept and every other metadata block dropped. */
function flacAudio(file) {
  let pos = 4;
  let streaminfo;
  for (;;) {
    const header = file[pos];
    const length = file.readUIntBE(pos + 1, 3);
    if ((header & 0x7f) === 0) streaminfo = file.subarray(pos + 4, pos + 4 + length);
    pos += 4 + length;
    if (header & 0x80) break;
  }
  return { streaminfo, frames: file.subarray(pos) };
}

/** A FLAC file: fLaC, STREAMINFO, VORBIS_COMMENT (repeated ARTIST fields for several artists), audio. */
export function flacFile(template, tags) {
  const fields = [];
  const add = (k, v) => [v].flat().forEach((x) => x !== undefined && fields.push(Buffer.from(`${k}=${x}`, 'utf8')));
  add('TITLE', tags.title);
  add('ARTIST', tags.artists);
  add('ALBUMARTIST', tags.albumArtist);
  add('ALBUM', tags.album);
  add('TRACKNUMBER', tags.track);
  add('DISCNUMBER', tags.disc);
  add('DATE', tags.year);
  add('GENRE', tags.genres);
  if (tags.compilation) add('COMPILATION', '1');
  const vendor = Buffer.from('ytm-bench', 'utf8');
  const le = (n) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const comment = Buffer.concat([le(vendor.length), vendor, le(fields.length), ...fields.flatMap((f) => [le(f.length), f])]);
  const block = (type, last, body) => {
    const h = Buffer.alloc(4);
    h[0] = (last ? 0x80 : 0) | type;
    h.writeUIntBE(body.length, 1, 3);
    return Buffer.concat([h, body]);
  };
  return Buffer.concat([Buffer.from('fLaC', 'latin1'), block(0, false, template.streaminfo), block(4, true, comment), template.frames]);
}

/** Tags of file number `i` (stable for a seed): 10 tracks an album, 5 albums an artist, some compilations and duets. */
export function tagsFor(i, { tracksPerAlbum = 10, seed = 1 } = {}) {
  const albumNo = Math.floor(i / tracksPerAlbum);
  const artistNo = Math.floor(albumNo / 5);
  const ra = rng(seed * 1_000_003 + artistNo);
  const rb = rng(seed * 7_919 + albumNo * 31);
  const rt = rng(seed * 104_729 + i * 17);
  const artist = `${phrase(ra, 1 + Math.floor(ra() * 2))} ${artistNo}`;
  const compilation = albumNo % 13 === 12;
  const guest = rt() < 0.1 ? `${phrase(rt, 1)} ${Math.floor(rt() * 500)}` : undefined;
  return {
    title: phrase(rt, 1 + Math.floor(rt() * 3)),
    artists: compilation ? [`${phrase(rt, 1)} ${i % 97}`] : guest ? [artist, guest] : [artist],
    albumArtist: compilation ? 'Various Artists' : artist,
    album: `${phrase(rb, 1 + Math.floor(rb() * 3))} ${albumNo}`,
    track: (i % tracksPerAlbum) + 1,
    disc: 1,
    year: 1960 + Math.floor(rb() * 60),
    genres: [GENRES[albumNo % GENRES.length]],
    compilation,
  };
}

/** Writes files [from, to) into `dir`; returns their paths. */
export function generate(dir, count, { flacRatio = 0.2, tracksPerAlbum = 10, seed = 1, from = 0 } = {}) {
  const t = templates();
  const paths = [];
  const made = new Set();
  for (let i = from; i < from + count; i++) {
    const tags = tagsFor(i, { tracksPerAlbum, seed });
    const folder = join(dir, tags.albumArtist.replace(/[/\\]/g, '_'), tags.album.replace(/[/\\]/g, '_'));
    if (!made.has(folder)) {
      mkdirSync(folder, { recursive: true });
      made.add(folder);
    }
    const flac = rng(seed + i)() < flacRatio;
    const name = `${String(tags.track).padStart(2, '0')} ${tags.title}.${flac ? 'flac' : 'mp3'}`;
    const path = join(folder, name);
    const data = flac ? flacFile(t.flac[i % t.flac.length], tags) : Buffer.concat([id3v24(tags), t.mp3[i % t.mp3.length]]);
    writeFileSync(path, data);
    paths.push(path);
  }
  return paths;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [dirArg, countArg, ...rest] = process.argv.slice(2);
  const opts = Object.fromEntries(rest.map((a) => a.replace(/^--/, '').split('=')));
  const dir = dirArg ?? mkdtempSync(join(tmpdir(), 'ytm-corpus-'));
  const count = Number(countArg ?? 1000);
  const started = Date.now();
  generate(dir, count, { flacRatio: Number(opts.flac ?? 0.2), tracksPerAlbum: Number(opts['tracks-per-album'] ?? 10), seed: Number(opts.seed ?? 1) });
  console.log(`generated ${count} files in ${dir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
