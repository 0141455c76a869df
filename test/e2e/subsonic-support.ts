// Helpers of the OpenSubsonic end-to-end tests: a small tagged corpus made with ffmpeg, raw
// /rest/* calls, schema validation (ajv) and the XML check of the same fields.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { XMLParser } from 'fast-xml-parser';
import { failedResponse, okResponse } from '../../subsonic/test/schemas/response.schemas.js';

export interface CorpusTrack {
  path: string;
  title: string;
  artist: string;
  album: string;
  track?: number;
  genre: string;
  year: number;
  /** Where its lyrics are: a sidecar .lrc (synced), an ID3v2.3 USLT frame, or a Vorbis LYRICS comment in LRC form. */
  lyrics?: { in: 'lrc' | 'uslt' | 'vorbis'; text: string };
}

/** A minimal ID3v2.3 tag (text frames and USLT, ISO-8859-1), as taggers write it. */
function id3v23(frames: Array<[id: string, data: Buffer]>): Buffer {
  const body = Buffer.concat(
    frames.map(([id, data]) => {
      const head = Buffer.alloc(10);
      head.write(id, 0, 'ascii');
      head.writeUInt32BE(data.length, 4);
      return Buffer.concat([head, data]);
    }),
  );
  const header = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0]);
  for (let i = 0; i < 4; i++) header[9 - i] = (body.length >> (7 * i)) & 0x7f;
  return Buffer.concat([header, body]);
}
const textFrame = (text: string) => Buffer.concat([Buffer.from([0]), Buffer.from(text, 'latin1')]);

/** Writes the corpus (MP3 with an embedded cover and lyrics, FLAC) and returns what it wrote. */
export function makeCorpus(dir: string): CorpusTrack[] {
  const tracks: CorpusTrack[] = [
    {
      path: 'Artist A/Album One/01.mp3',
      title: 'First Song',
      artist: 'Artist A',
      album: 'Album One',
      track: 1,
      genre: 'Rock',
      year: 2001,
      lyrics: { in: 'lrc', text: '[la:en]\n[00:00.50]Hello world\n[00:01.75]Second line' },
    },
    {
      path: 'Artist A/Album One/02.mp3',
      title: 'Second Song',
      artist: 'Artist A',
      album: 'Album One',
      track: 2,
      genre: 'Rock',
      year: 2001,
      lyrics: { in: 'uslt', text: 'Plain words\nAnother line' },
    },
    {
      path: 'Band B/B Sides/blue.flac',
      title: 'Blue',
      artist: 'Band B',
      album: 'B Sides',
      track: 1,
      genre: 'Jazz',
      year: 1999,
      lyrics: { in: 'vorbis', text: '[00:01.00]Blue one\n[00:02.00]Blue two' },
    },
    { path: 'Band B/B Sides/green.flac', title: 'Green', artist: 'Band B', album: 'B Sides', track: 2, genre: 'Jazz', year: 1999 },
    { path: 'Cora/Solo/solo.mp3', title: 'Alone', artist: 'Cora', album: 'Solo', genre: 'Folk', year: 2020 },
  ];
  const cover = join(dir, 'cover.png');
  mkdirSync(dir, { recursive: true });
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=red:s=64x64', '-frames:v', '1', cover]);
  for (const [i, t] of tracks.entries()) {
    const out = join(dir, t.path);
    mkdirSync(join(out, '..'), { recursive: true });
    const meta = [
      'title',
      t.title,
      'artist',
      t.artist,
      'album',
      t.album,
      'genre',
      t.genre,
      'date',
      String(t.year),
      ...(t.track ? ['track', String(t.track)] : []),
    ];
    const metadata = [];
    for (let m = 0; m < meta.length; m += 2) metadata.push('-metadata', `${meta[m]}=${meta[m + 1]}`);
    if (t.lyrics?.in === 'vorbis') metadata.push('-metadata', `LYRICS=${t.lyrics.text}`);
    if (t.lyrics?.in === 'lrc') writeFileSync(out.replace(/\.[^.]+$/, '.lrc'), t.lyrics.text);
    const audio = ['-f', 'lavfi', '-i', `sine=frequency=${300 + 70 * i}:duration=3`];
    if (t.lyrics?.in === 'uslt') {
      // ffmpeg writes no USLT frame: the audio without a tag, then a tag written here.
      const raw = `${out}.raw.mp3`;
      execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...audio, '-c:a', 'libmp3lame', '-b:a', '64k', '-write_id3v2', '0', '-write_xing', '0', raw]);
      const tag = id3v23([
        ['TIT2', textFrame(t.title)],
        ['TPE1', textFrame(t.artist)],
        ['TALB', textFrame(t.album)],
        ['TRCK', textFrame(String(t.track ?? ''))],
        ['TCON', textFrame(t.genre)],
        ['TYER', textFrame(String(t.year))],
        ['USLT', Buffer.concat([Buffer.from([0]), Buffer.from('eng', 'latin1'), Buffer.from([0]), Buffer.from(t.lyrics.text, 'latin1')])],
      ]);
      writeFileSync(out, Buffer.concat([tag, readFileSync(raw)]));
      rmSync(raw);
      continue;
    }
    const args = out.endsWith('.mp3')
      ? [
          ...audio,
          '-i',
          cover,
          '-map',
          '0:a',
          '-map',
          '1:v',
          '-c:a',
          'libmp3lame',
          '-b:a',
          '64k',
          '-c:v',
          'png',
          '-disposition:v',
          'attached_pic',
          '-id3v2_version',
          '3',
        ]
      : [...audio, '-c:a', 'flac'];
    execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...args, ...metadata, out]);
  }
  return tracks;
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);

/** Fails with ajv's messages unless `doc` is a successful response with `key` shaped as `schema`. */
export function expectValid(doc: unknown, key: string | undefined, schema: Record<string, unknown> | undefined): void {
  const validate = ajv.compile(okResponse(key, schema));
  if (!validate(doc))
    throw new Error(
      `${key ?? 'empty'} response does not match the spec schema:\n${ajv.errorsText(validate.errors, { separator: '\n' })}\n${JSON.stringify(doc).slice(0, 2000)}`,
    );
}

export function expectFailure(doc: unknown, code: number): void {
  const validate = ajv.compile(failedResponse());
  if (!validate(doc)) throw new Error(`error response does not match the spec schema:\n${ajv.errorsText(validate.errors)}`);
  const { error } = (doc as { 'subsonic-response': { error: { code: number; message?: string } } })['subsonic-response'];
  expect({ code: error.code, message: error.message }).toEqual({ code, message: error.message });
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (_name: string, _path: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute,
  alwaysCreateTextNode: true,
  parseTagValue: false,
  parseAttributeValue: false,
});

/** Parses a Subsonic XML document to its root element. */
export function parseXml(xml: string): Record<string, unknown> {
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
  const doc = parser.parse(xml) as Record<string, Array<Record<string, unknown>>>;
  const root = doc['subsonic-response']?.[0];
  if (!root) throw new Error(`no subsonic-response root in ${xml.slice(0, 200)}`);
  expect(root.xmlns).toBe('http://subsonic.org/restapi');
  return root;
}

const TEXT_ELEMENTS = new Set(['line', 'lyrics', 'genre']);

/**
 * The XML carries the same fields as the JSON: scalars as attributes (or the element's text for
 * `value` in line/lyrics/genre), objects as child elements, arrays as repeated elements.
 */
export function expectSameFields(json: Record<string, unknown>, xml: Record<string, unknown>, name = 'subsonic-response', path = name): void {
  for (const [k, v] of Object.entries(json)) {
    const at = `${path}.${k}`;
    if (v === null || v === undefined) continue;
    if (Array.isArray(v)) {
      const elements = (xml[k] as unknown[] | undefined) ?? [];
      expect({ at, length: elements.length }).toEqual({ at, length: v.length });
      v.forEach((item, i) => {
        const el = elements[i] as Record<string, unknown>;
        if (typeof item === 'object' && item !== null) expectSameFields(item as Record<string, unknown>, el, k, `${at}[${i}]`);
        else expect({ at, value: el['#text'] }).toEqual({ at, value: String(item) });
      });
    } else if (typeof v === 'object') {
      const el = (xml[k] as Array<Record<string, unknown>> | undefined)?.[0];
      expect({ at, present: el !== undefined }).toEqual({ at, present: true });
      expectSameFields(v as Record<string, unknown>, el!, k, at);
    } else if (k === 'value' && TEXT_ELEMENTS.has(name)) {
      expect({ at, value: xml['#text'] }).toEqual({ at, value: String(v) });
    } else {
      expect({ at, value: xml[k] }).toEqual({ at, value: String(v) });
    }
  }
}

/** A raw `/rest/<endpoint>` call. */
export async function rest(routerUrl: string, endpoint: string, params: Record<string, string | string[]>, init: RequestInit = {}): Promise<Response> {
  const url = new URL(`/rest/${endpoint}`, routerUrl);
  for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, one);
  return fetch(url, init);
}

export async function restJson(routerUrl: string, endpoint: string, params: Record<string, string | string[]>): Promise<Record<string, any>> {
  const r = await rest(routerUrl, endpoint, { ...params, f: 'json', v: '1.16.1', c: 'e2e' });
  expect(r.status).toBe(200);
  return (await r.json()) as Record<string, any>;
}
