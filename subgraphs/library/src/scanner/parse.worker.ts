import { parentPort } from 'node:worker_threads';
import { parseFromTokenizer, type IAudioMetadata, type IOptions, type IPicture } from 'music-metadata';
import type { ParseBatch, ParseOutcome, ParseReply } from './parse.protocol.js';
import { openSyncFileTokenizer } from './sync-file.tokenizer.js';

// Runs in a worker thread: parses one file per message. Kept free of domain code so a hostile
// file can at worst take down this thread, which the pool replaces.
const MAX_PICTURE_BYTES = 20 * 1024 * 1024;
const MAX_TAG_CHARS = 4_000;
const MAX_LIST = 200;

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v.slice(0, MAX_TAG_CHARS) : undefined);
const texts = (v: unknown): string[] | undefined =>
  Array.isArray(v)
    ? v
        .slice(0, MAX_LIST)
        .map(text)
        .filter((s): s is string => s !== undefined)
    : undefined;
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : null);

function pickPicture(pictures: IPicture[] | undefined): { data: Uint8Array; mimeType: string } | null {
  const list = (pictures ?? []).filter((p) => p.data.byteLength > 0 && p.data.byteLength <= MAX_PICTURE_BYTES);
  const best = list.find((p) => /front/i.test(p.type ?? '')) ?? list[0];
  return best ? { data: new Uint8Array(best.data), mimeType: best.format || 'image/jpeg' } : null;
}

function outcome(meta: IAudioMetadata): ParseOutcome {
  const { common: c, format: f } = meta;
  const codec = f.codec ?? '';
  const duration = f.duration ?? 0;
  // music-metadata often returns partial results instead of throwing: no codec or no duration
  // means no readable audio.
  if (!codec && !f.container) return { ok: false, reason: 'no audio codec found' };
  if (!(duration > 0) || !Number.isFinite(duration)) return { ok: false, reason: 'no audio duration found' };
  return {
    ok: true,
    tags: {
      title: text(c.title),
      artists: texts(c.artists),
      artist: text(c.artist),
      albumArtist: text(c.albumartist),
      album: text(c.album),
      trackNumber: int(c.track?.no),
      discNumber: int(c.disk?.no),
      year: int(c.year) ?? undefined,
      date: text(c.date) ?? text(c.originaldate),
      genres: texts(c.genre),
      compilation: c.compilation === true,
      artistSort: text(c.artistsort),
      albumArtistSort: text(c.albumartistsort),
      musicBrainzRecordingId: text(c.musicbrainz_recordingid),
    },
    format: {
      container: f.container ?? '',
      codec: codec || (f.container ?? ''),
      duration,
      bitrate: int(f.bitrate),
      sampleRate: int(f.sampleRate),
      channels: int(f.numberOfChannels),
      lossless: f.lossless === true,
    },
    picture: pickPicture(c.picture),
  };
}

async function parseFile(path: string, options: IOptions): Promise<IAudioMetadata> {
  const tokenizer = openSyncFileTokenizer(path);
  try {
    return await parseFromTokenizer(tokenizer, options);
  } finally {
    await tokenizer.close();
  }
}

async function parse(path: string): Promise<ParseOutcome> {
  try {
    let result = outcome(await parseFile(path, { duration: false }));
    // Some files (Ogg, MP3 without a VBR header, raw AAC) need a full read for their duration.
    if (!result.ok && result.reason === 'no audio duration found') result = outcome(await parseFile(path, { duration: true }));
    return result;
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message.slice(0, 300) : 'unreadable' };
  }
}

// Several files are in flight per worker: parsing is mostly waiting for small reads.
parentPort?.on('message', (batch: ParseBatch) => {
  for (const task of batch) {
    void parse(task.path).then((outcome) => {
      const transfer = outcome.ok && outcome.picture ? [outcome.picture.data.buffer as ArrayBuffer] : [];
      parentPort?.postMessage({ id: task.id, outcome } satisfies ParseReply, transfer);
    });
  }
});
