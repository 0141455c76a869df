import type { Viewer } from './viewer.js';

export type PlaylistVisibility = 'PRIVATE' | 'PUBLIC';

/**
 * Who may read a playlist: PRIVATE is the owner's and ADMINs' only (to anyone else it does not
 * exist); PUBLIC is everyone's signed in. Resource enforces it on every read; the router applies
 * the same rule to fan one playlist fetch out to many subscribers (router/src/subscriptions).
 */
export function canReadPlaylist(viewer: Pick<Viewer, 'id' | 'role'>, p: { ownerId: string; visibility: PlaylistVisibility }): boolean {
  return p.visibility === 'PUBLIC' || p.ownerId === viewer.id || viewer.role === 'ADMIN';
}
