import { ErrorCode, notFound, SubsonicError } from '../format/response.js';
import { openUpstream, relay, type Upstream } from '../http/relay.js';
import { BINARY, type Call, type EndpointTable } from './endpoint.js';

const IMAGE_ID = /^[A-Za-z0-9_-]{32}$/;
const UPSTREAM_TIMEOUT_MS = 15_000;

const methodOf = (call: Call): 'GET' | 'HEAD' => (call.koa.method === 'HEAD' ? 'HEAD' : 'GET');

/** The original file's bytes through a playback ticket (Range and validators pass through). */
async function streamOriginal(call: Call): Promise<typeof BINARY> {
  const id = call.params.required('id');
  const { tickets, routerUrl } = call.services;
  let up: Upstream | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    const ticket = await tickets.get(call.gql, call.principal.userId, id);
    const target = new URL(ticket.url);
    try {
      up = await openUpstream(new URL(target.pathname + target.search, routerUrl), methodOf(call), call.koa.req.headers, UPSTREAM_TIMEOUT_MS);
    } catch {
      throw new SubsonicError(ErrorCode.GENERIC, 'The audio service is not reachable right now; try again');
    }
    // 401/403: the ticket expired or was revoked (the user's stream slot went to another track): take a new one once.
    if ((up.status === 401 || up.status === 403) && attempt === 0) {
      up.body.resume();
      tickets.drop(call.principal.userId, id);
      continue;
    }
    break;
  }
  if (!up) throw new SubsonicError(ErrorCode.GENERIC, 'No stream');
  if (up.status === 404) {
    up.body.resume();
    throw notFound('Song');
  }
  if (up.status >= 400 && up.status !== 416 && up.status !== 412) {
    up.body.resume();
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
  if (up.status === 404 || up.status === 400) {
    up.body.resume();
    throw notFound('Cover art');
  }
  call.koa.respond = false;
  await relay(up, call.koa.res);
  return BINARY;
}

export const mediaEndpoints: EndpointTable = {
  // Transcoding (maxBitRate, format, timeOffset) is not available yet: originals are served, and
  // `transcodeOffset` is not advertised.
  stream: { handler: streamOriginal },
  download: { handler: streamOriginal },
  getCoverArt: { handler: coverArt },
};
