// Helpers of the OpenSubsonic end-to-end tests: a small tagged corpus made with ffmpeg, raw
// /rest/* calls, schema validation (ajv) and the XML check of the same fields.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
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
  lyrics?: string;
}

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
      lyrics: 'Hello world\nSecond line',
    },
    { path: 'Artist A/Album One/02.mp3', title: 'Second Song', artist: 'Artist A', album: 'Album One', track: 2, genre: 'Rock', year: 2001 },
    { path: 'Band B/B Sides/blue.flac', title: 'Blue', artist: 'Band B', album: 'B Sides', track: 1, genre: 'Jazz', year: 1999 },
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
    if (t.lyrics) metadata.push('-metadata', `lyrics=${t.lyrics}`);
    const audio = ['-f', 'lavfi', '-i', `sine=frequency=${300 + 70 * i}:duration=3`];
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
