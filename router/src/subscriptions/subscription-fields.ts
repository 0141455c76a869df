import { canReadPlaylist, type PlaylistVisibility, type Viewer } from '@ytm/auth';
import { TOPICS, type Envelope } from '@ytm/events';

/** Marks payload objects built from an event: their fields are read by field name, not alias. */
export const EVENT_OBJECT = Symbol('event-object');

export interface EntityBinding {
  /** The payload field holding the entity, e.g. `track` on LibraryChange. */
  field: string;
  /** The root Query field that loads it by id through the gateway, e.g. `track(id:)`. */
  queryField: string;
}

/**
 * Who may read the entity, decided per subscriber from one fetch shared by all of them: the rule
 * and the entity selection it reads (fetched beside the subscriber's own, under ACCESS_PROBE).
 */
export interface EntityAccess {
  selection: string;
  allows(viewer: Viewer, fetched: Record<string, unknown>): boolean;
  /** Allowed whatever the entity's changeable state (its owner, an ADMIN): the shared fetch is made as such a subscriber when there is one. */
  alwaysAllows(viewer: Viewer, fetched: Record<string, unknown>): boolean;
}

export interface SubscriptionField {
  topic: string;
  /** Builds the payload for this event, or undefined when the event is not for this subscriber. */
  toPayload(event: Envelope, args: Record<string, unknown>): { payload: Record<string, unknown>; entityId: string | null } | undefined;
  /** Thrown errors reject the subscription (FORBIDDEN etc.). */
  authorize?(viewer: Viewer): void;
  entity?: EntityBinding;
  /** When the entity is readable no more (null for a non-deletion), the subscription ends with FORBIDDEN. */
  requireEntity?: boolean;
  /** Every signed-in user may read the entity, so user-independent selections can share fetches across users. */
  readableByAll?: boolean;
  /** Readability depends on the reader by this rule: user-independent selections share one fetch, each subscriber gets it if the rule allows. */
  access?: EntityAccess;
}

const playlistAccess = (d: Record<string, unknown>) => ({
  ownerId: (d.owner as { id: string }).id,
  visibility: d.visibility as PlaylistVisibility,
});

const LIBRARY_KIND: Record<string, string> = { 'library.track.added': 'ADDED', 'library.track.updated': 'UPDATED', 'library.track.removed': 'REMOVED' };
const PLAYLIST_KIND: Record<string, string> = {
  'resource.playlist.created': 'CREATED',
  'resource.playlist.updated': 'UPDATED',
  'resource.playlist.deleted': 'DELETED',
};

/** The contract's Subscription fields and the events behind them. */
export const SUBSCRIPTION_FIELDS: Record<string, SubscriptionField> = {
  libraryChanged: {
    topic: TOPICS.library,
    toPayload(event) {
      const kind = LIBRARY_KIND[event.type];
      if (!kind) return undefined;
      const removed = kind === 'REMOVED';
      return { payload: { kind, trackId: event.subject }, entityId: removed ? null : event.subject };
    },
    entity: { field: 'track', queryField: 'track' },
    readableByAll: true,
  },
  scanProgress: {
    topic: TOPICS.library,
    toPayload(event) {
      if (event.type !== 'library.scan.progress') return undefined;
      return { payload: { ...(event.data as object) }, entityId: null };
    },
    authorize(viewer) {
      if (viewer.role !== 'ADMIN') throw Object.assign(new Error('scanProgress is for administrators only'), { code: 'FORBIDDEN' });
    },
  },
  playlistChanged: {
    topic: TOPICS.resource,
    toPayload(event, args) {
      const kind = PLAYLIST_KIND[event.type];
      if (!kind || event.subject !== args.id) return undefined;
      return { payload: { kind, playlistId: event.subject }, entityId: kind === 'DELETED' ? null : event.subject };
    },
    entity: { field: 'playlist', queryField: 'playlist' },
    requireEntity: true,
    access: {
      selection: 'visibility owner { id }',
      allows: (viewer, d) => canReadPlaylist(viewer, playlistAccess(d)),
      alwaysAllows: (viewer, d) => canReadPlaylist(viewer, { ...playlistAccess(d), visibility: 'PRIVATE' }),
    },
  },
};

export const SUBSCRIPTION_TOPICS = [...new Set(Object.values(SUBSCRIPTION_FIELDS).map((f) => f.topic))];
