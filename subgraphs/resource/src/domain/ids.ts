/** Users, playlists and sessions are identified by UUIDs (randomUUID). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Another subgraph's entity, known here by its ID only (federation resolves the rest). */
export interface EntityRef {
  id: string;
}
