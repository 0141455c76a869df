/**
 * Kafka topics, one per producing service, and one for ytm-resource's replicas among themselves;
 * the key of every message is the entity ID.
 */
export const TOPICS = {
  library: 'ytm.library.events',
  resource: 'ytm.resource.events',
  stream: 'ytm.stream.events',
  /** `resource.user.changed` and `resource.user.likes-changed`: read by ytm-resource's replicas only, nobody else pays for them. */
  userChanges: 'ytm.resource.user-changes',
} as const;
export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

/** The counters of a library scan (`library.scan.progress`, GraphQL's ScanStatus). */
export const SCAN_COUNTERS = ['filesSeen', 'filesParsed', 'tracksAdded', 'tracksUpdated', 'tracksRemoved', 'errors'] as const;
export type ScanCounter = (typeof SCAN_COUNTERS)[number];

/** A value as JSON carries it: dates as ISO strings. */
export type Serialized<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };

/** An entity reference the router can resolve through the query planner. */
export interface EntityRef<T extends string> {
  __typename: T;
  id: string;
}

/**
 * Every event type and its `data`. Adding an event means adding it here, so producers and
 * consumers agree at compile time.
 */
export interface EventCatalog {
  'resource.user.registered': EntityRef<'User'> & { displayName: string; role: 'USER' | 'ADMIN' };
  'resource.user.plan-changed': EntityRef<'User'> & { tier: 'FREE' | 'PREMIUM'; expiresAt: string | null; previousTier: 'FREE' | 'PREMIUM' };
  /**
   * A user was written (name, role, plan, password). Sent on `TOPICS.userChanges` after the write,
   * not through the outbox: a hint to the other ytm-resource replicas' user caches, whose age limit
   * bounds what a lost one leaves stale.
   */
  'resource.user.changed': EntityRef<'User'>;
  /**
   * A user's liked set has a new version (`version`). Sent on `TOPICS.userChanges` after the commit,
   * like `resource.user.changed`: a hint to the other replicas, which show a liked set from memory
   * until they hear of a newer version (or its age limit passes).
   */
  'resource.user.likes-changed': EntityRef<'User'> & { version: number };
  /** The password changed: credentials remembered for it (ytm-subsonic) are forgotten. */
  'resource.user.password-changed': EntityRef<'User'>;
  'resource.apikey.created': { id: string; userId: string };
  /** Caches of the key (ytm-subsonic) drop it at once. */
  'resource.apikey.revoked': { id: string; userId: string };
  'resource.playlist.created': EntityRef<'Playlist'> & { ownerId: string; version: number; visibility: 'PRIVATE' | 'PUBLIC' };
  'resource.playlist.updated': EntityRef<'Playlist'> & { ownerId: string; version: number; visibility: 'PRIVATE' | 'PUBLIC' };
  'resource.playlist.deleted': EntityRef<'Playlist'> & { ownerId: string; version: number; visibility: 'PRIVATE' | 'PUBLIC' };
  'resource.track.liked': EntityRef<'Track'> & { userId: string; likedAt: string };
  'resource.track.unliked': EntityRef<'Track'> & { userId: string };
  'library.track.added': EntityRef<'Track'> & { changed: Record<string, unknown> };
  'library.track.updated': EntityRef<'Track'> & { changed: Record<string, unknown> };
  'library.track.removed': EntityRef<'Track'>;
  /** The library's ScanStatus as JSON (library checks at compile time that the two agree). */
  'library.scan.progress': { state: 'IDLE' | 'RUNNING' | 'FAILED'; startedAt: string | null; finishedAt: string | null } & Record<ScanCounter, number>;
  'stream.play.started': EntityRef<'Track'> & { userId: string; ticketId: string };
  'stream.play.completed': EntityRef<'Track'> & { userId: string; ticketId: string };
}
export type EventType = keyof EventCatalog;

export function topicOf(type: EventType): Topic {
  if (type === 'resource.user.changed' || type === 'resource.user.likes-changed') return TOPICS.userChanges;
  const prefix = type.slice(0, type.indexOf('.'));
  switch (prefix) {
    case 'library':
      return TOPICS.library;
    case 'resource':
      return TOPICS.resource;
    case 'stream':
      return TOPICS.stream;
    default:
      throw new Error(`event type ${type} has no topic`);
  }
}
