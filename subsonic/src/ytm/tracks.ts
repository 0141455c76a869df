import { notFound } from '../format/response.js';
import { TRACK_FIELDS } from './documents.js';
import type { GqlTrack } from './model.js';

type Query = <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;

/** The router allows 30 aliases per operation; 25 tracks a query, the queries in parallel. */
const PER_QUERY = 25;

/** Tracks by ID in the given order; unknown IDs are left out. */
export async function tracksByIds(gql: Query, ids: readonly string[]): Promise<GqlTrack[]> {
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += PER_QUERY) chunks.push(ids.slice(i, i + PER_QUERY));
  const results = await Promise.all(
    chunks.map(async (chunk) => {
      const vars = chunk.map((_, i) => `$i${i}: ID!`).join(', ');
      const fields = chunk.map((_, i) => `t${i}: track(id: $i${i}) { ...T }`).join(' ');
      const variables = Object.fromEntries(chunk.map((id, i) => [`i${i}`, id]));
      const d = await gql<Record<string, GqlTrack | null>>(`query(${vars}) { ${fields} } fragment T on Track { ${TRACK_FIELDS} }`, variables);
      return chunk.map((_, i) => d[`t${i}`] ?? null);
    }),
  );
  return results.flat().filter((t): t is GqlTrack => t !== null);
}

/** Error 70 unless every ID is a track of the library (checked before anything changes). */
export async function assertTracksExist(gql: Query, ids: readonly string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += PER_QUERY) {
    const chunk = ids.slice(i, i + PER_QUERY);
    const d = await gql<Record<string, { id: string } | null>>(
      `query(${chunk.map((_, j) => `$i${j}: ID!`).join(', ')}) { ${chunk.map((_, j) => `t${j}: track(id: $i${j}) { id }`).join(' ')} }`,
      Object.fromEntries(chunk.map((id, j) => [`i${j}`, id])),
    );
    if (chunk.some((_, j) => !d[`t${j}`])) throw notFound('Song');
  }
}
