import { ErrorCode, notFound, SubsonicError } from '../format/response.js';
import { openUpstream, relay, type Upstream } from '../http/relay.js';
import type { StreamFormat, Wanted } from '../ytm/playback-tickets.js';
import { BINARY, type Call, type EndpointTable } from './endpoint.js';

const IMAGE_ID = /^[A-Za-z0-9_-]{32}$/;
const UPSTREAM_TIMEOUT_MS = 15_000;

const methodOf = (call: Call): 'GET' | 'HEAD' => (call.koa.method === 'HEAD' ? 'HEAD' : 'GET');

/** Subsonic `format` values → what stream makes; `raw` (and anything unknown) is the original file. */
const FORMATS: Record<string, StreamFormat> = { raw: 'ORIGINAL', mp3: 'MP3', opus: 'OPUS', ogg: 'OPUS', aac: 'AAC', m4a: 'AAC' };

/** The bitrate ceilings stream accepts (kbit/s; subgraphs/stream/src/domain/stream-format.ts, MIN_KBPS and MAX_KBPS). */
const STREAM_MIN_KBPS = 32;
const STREAM_MAX_KBPS = 512;

/**
 * A Subsonic `maxBitRate` (kbit/s) as stream's ceiling: 0 is no limit, and so is anything above
 * what stream makes (512); below its least (32) it is 32.
 */
export function maxBitrateOf(kbps: number): number | null {
  if (kbps <= 0 || kbps > STREAM_MAX_KBPS) return null;
  return Math.max(STREAM_MIN_KBPS, kbps);
}

/**
 * `format` and `maxBitRate` as stream's ticket options; download always takes the original, and
 * so does `format=raw` ("no transcoding", whatever `maxBitRate` says).
 */
function wantedOf(call: Call, original: boolean): Wanted {
  if (original) return { format: 'ORIGINAL', maxBitrate: null };
  const asked = (call.params.get('format') ?? '').toLowerCase();
  const max = call.params.int('maxBitRate', 0, 0, 10_000);
  if (asked === 'raw') return { format: 'ORIGINAL', maxBitrate: null };
  return { format: Object.hasOwn(FORMATS, asked) ? FORMATS[asked]! : 'ORIGINAL', maxBitrate: maxBitrateOf(max) };
}

/**
 * A song's audio through a playback ticket: the original file (Range and validators pass
 * through), or stream's transcode when `format`/`maxBitRate` ask for one (or the plan's bitrate
 * ceiling makes one); OpenSubsonic `transcodeOffset`: `timeOffset` seconds start a transcode there.
 */
async function streamAudio(call: Call, original: boolean): Promise<typeof BINARY> {
  const id = call.params.required('id');
  const wanted = wantedOf(call, original);
  const offset = original ? undefined : call.params.optionalInt('timeOffset', 0, 86_400);
  const { tickets, routerUrl } = call.services;
  let up: Upstream | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    const ticket = await tickets.get(call.gql, call.principal.userId, id, wanted);
    const target = new URL(ticket.url);
    if (offset && ticket.format !== 'ORIGINAL') target.searchParams.set('t', String(offset));
    try {
      up = await openUpstream(new URL(target.pathname + target.search, routerUrl), methodOf(call), call.koa.req.headers, UPSTREAM_TIMEOUT_MS);
    } catch {
      throw new SubsonicError(ErrorCode.GENERIC, 'The audio service is not reachable right now; try again');
    }
    // 401/403: the ticket expired or was revoked (the user's stream slot went to another track): take a new one once.
    if ((up.status === 401 || up.status === 403) && attempt === 0) {
      up.body.resume();
      tickets.drop(call.principal.userId, id, wanted);
      continue;
    }
    break;
  }
  if (!up) throw new SubsonicError(ErrorCode.GENERIC, 'No stream');
  if (up.status >= 400 && up.status !== 416 && up.status !== 412) {
    up.body.resume();
    if (up.status === 404) throw notFound('Song');
    if (up.status === 503)
      throw new SubsonicError(ErrorCode.GENERIC, `The server is busy transcoding; retry in ${String(up.headers['retry-after'] ?? 'a few')} s`);
    if (up.status === 400) throw new SubsonicError(ErrorCode.GENERIC, 'timeOffset is beyond the end of the song');
    throw new SubsonicError(ErrorCode.GENERIC, `The audio service refused the stream (HTTP ${up.status})`);
  }
  call.koa.respond = false;
  await relay(up, call.koa.res);
  return BINARY;
}

async function coverArt(call: Call): Promise<typeof BINARY> {
  const id = call.params.required('id');
  const size = call.params.optionalInt('size', 1, 4096);
  let imageUrl: URL;
  if (IMAGE_ID.test(id)) imageUrl = new URL(`/art/${id}`, call.services.routerUrl);
  else if (/^(al|ar|tr)_/.test(id)) {
    const field = id.startsWith('al_') ? 'album' : id.startsWith('ar_') ? 'artist' : 'track';
    const d = await call.gql<Record<string, { coverArt: { url: string } | null } | null>>(`query($id: ID!) { ${field}(id: $id) { coverArt { url } } }`, { id });
    const url = d[field]?.coverArt?.url;
    if (!url) throw notFound('Cover art');
    const parsed = new URL(url);
    imageUrl = new URL(parsed.pathname, call.services.routerUrl);
  } else throw notFound('Cover art');
  if (size !== undefined) imageUrl.searchParams.set('size', String(size));
  let up: Upstream;
  try {
    up = await openUpstream(imageUrl, methodOf(call), call.koa.req.headers, UPSTREAM_TIMEOUT_MS);
  } catch {
    throw new SubsonicError(ErrorCode.GENERIC, 'The image service is not reachable right now; try again');
  }
  // Failures are Subsonic errors (HTTP 200), never the image service's status and body.
  if (up.status >= 400) {
    up.body.resume();
    if (up.status === 404) throw notFound('Cover art');
    if (up.status === 429 || up.status === 503)
      throw new SubsonicError(ErrorCode.GENERIC, `The image service is busy; retry in ${String(up.headers['retry-after'] ?? 'a few')} s`);
    throw new SubsonicError(ErrorCode.GENERIC, `The image service refused the request (HTTP ${up.status})`);
  }
  call.koa.respond = false;
  await relay(up, call.koa.res);
  return BINARY;
}

export const mediaEndpoints: EndpointTable = {
  stream: { handler: (call) => streamAudio(call, false) },
  // download is the file as it is, whatever the parameters.
  download: { handler: (call) => streamAudio(call, true) },
  getCoverArt: { handler: coverArt },
};
