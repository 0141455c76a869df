import { notFound } from '../format/response.js';
import { mapBounded } from './bounded.js';
import { ALBUM_FIELDS, ARTIST_FIELDS, TRACK_FIELDS } from './documents.js';
import type { GqlAlbum, GqlArtist, GqlTrack } from './model.js';

type Query = <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;

/** The router allows 30 aliases per operation; 25 entities a query, a few queries at once (./bounded.ts). */
const PER_QUERY = 25;

const ENTITIES = {
  track: { type: 'Track', fields: TRACK_FIELDS, what: 'Song' },
  album: { type: 'Album', fields: ALBUM_FIELDS, what: 'Album' },
  artist: { type: 'Artist', fields: ARTIST_FIELDS, what: 'Artist' },
} as const;
type Entity = keyof typeof ENTITIES;

/** Entities by ID in the given order, each with `fields` (null for unknown IDs). */
async function byIds<T>(gql: Query, entity: Entity, ids: readonly string[], fields: string): Promise<Array<T | null>> {
  const { type } = ENTITIES[entity];
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += PER_QUERY) chunks.push(ids.slice(i, i + PER_QUERY));
  const results = await mapBounded(chunks, async (chunk) => {
    const vars = chunk.map((_, i) => `$i${i}: ID!`).join(', ');
    const selections = chunk.map((_, i) => `e${i}: ${entity}(id: $i${i}) { ...E }`).join(' ');
    const variables = Object.fromEntries(chunk.map((id, i) => [`i${i}`, id]));
    const d = await gql<Record<string, T | null>>(`query(${vars}) { ${selections} } fragment E on ${type} { ${fields} }`, variables);
    return chunk.map((_, i) => d[`e${i}`] ?? null);
  });
  return results.flat();
}

/** A playlist and a play queue hold at most this many songs (resource: MAX_PLAYLIST_ITEMS, MAX_QUEUE_TRACKS). */
export const MAX_SONGS = 10_000;

const known = <T>(list: Array<T | null>) => list.filter((x): x is T => x !== null);

/** Tracks by ID in the given order; unknown IDs are left out. */
export async function tracksByIds(gql: Query, ids: readonly string[]): Promise<GqlTrack[]> {
  return known(await byIds<GqlTrack>(gql, 'track', ids, TRACK_FIELDS));
}

export async function albumsByIds(gql: Query, ids: readonly string[]): Promise<GqlAlbum[]> {
  return known(await byIds<GqlAlbum>(gql, 'album', ids, ALBUM_FIELDS));
}

export async function artistsByIds(gql: Query, ids: readonly string[]): Promise<GqlArtist[]> {
  return known(await byIds<GqlArtist>(gql, 'artist', ids, ARTIST_FIELDS));
}

/** Error 70 unless every ID is a `entity` of the library (checked before anything changes). */
export async function assertExist(gql: Query, entity: Entity, ids: readonly string[]): Promise<void> {
  const found = await byIds<{ id: string }>(gql, entity, ids, 'id');
  if (found.some((x) => x === null)) throw notFound(ENTITIES[entity].what);
}

export const assertTracksExist = (gql: Query, ids: readonly string[]) => assertExist(gql, 'track', ids);
