import { BadUserInputError } from '@ytm/errors';
import { isUuid } from './ids.js';
import { TRACK_ID } from './playlist.js';

/**
 * A user's notes on library items for ytm-subsonic: ratings of tracks, albums and artists, and
 * stars of albums and artists (tracks are starred as likes, see like.service.ts).
 */
export const ANNOTATION_KINDS = ['track', 'album', 'artist'] as const;
export type AnnotationKind = (typeof ANNOTATION_KINDS)[number];
/** Tracks are starred as likes; only these are starred here. */
export const STARRED_KINDS = ['album', 'artist'] as const;
export type StarredKind = (typeof STARRED_KINDS)[number];

/** At most this many items starred or unstarred in one call. */
export const MAX_STARRED_PER_CALL = 100;
/** The most annotations one user keeps (a listing answers all of them). */
export const MAX_ANNOTATIONS_PER_USER = 50_000;

export interface Annotation {
  kind: AnnotationKind;
  itemId: string;
  /** 1–5; null when not rated. */
  rating: number | null;
  /** When starred; null when not (always null for tracks). */
  starredAt: Date | null;
}

/** Annotations, one document per (user, kind, item). */
export interface AnnotationRepository {
  listByUser(userId: string, limit: number): Promise<Annotation[]>;
  /**
   * Applies `change` to the item's annotation (null when there is none) and stores the result;
   * an annotation with neither rating nor star is removed.
   */
  update(
    userId: string,
    kind: AnnotationKind,
    itemId: string,
    change: (current: Annotation | null) => Pick<Annotation, 'rating' | 'starredAt'>,
  ): Promise<Annotation>;
}

export function checkUserId(userId: string): void {
  if (!isUuid(userId)) throw new BadUserInputError('Not a valid user ID', 'userId');
}

export function checkKind<K extends string>(kind: string, allowed: readonly K[]): K {
  if (!(allowed as readonly string[]).includes(kind)) throw new BadUserInputError(`kind must be one of ${allowed.join(', ')}`, 'kind');
  return kind as K;
}

export function checkItemId(itemId: string): void {
  if (!TRACK_ID.test(itemId)) throw new BadUserInputError('Not a valid item ID', 'itemId');
}

/** 0 removes the rating; 1–5 set it; anything else is refused. */
export function checkRating(rating: number): number | null {
  if (!Number.isInteger(rating) || rating < 0 || rating > 5) throw new BadUserInputError('rating must be an integer from 0 to 5', 'rating');
  return rating === 0 ? null : rating;
}

export function checkStarredItems(itemIds: readonly string[]): void {
  if (itemIds.length === 0) throw new BadUserInputError('itemIds must not be empty', 'itemIds');
  if (itemIds.length > MAX_STARRED_PER_CALL) throw new BadUserInputError(`At most ${MAX_STARRED_PER_CALL} items at once`, 'itemIds');
  for (const id of itemIds) checkItemId(id);
}

/** Starring again keeps the first star's time; unstarring keeps the rating. */
export function starred(current: Annotation | null, on: boolean, now: Date): Pick<Annotation, 'rating' | 'starredAt'> {
  return { rating: current?.rating ?? null, starredAt: on ? (current?.starredAt ?? now) : null };
}

export function rated(current: Annotation | null, rating: number | null): Pick<Annotation, 'rating' | 'starredAt'> {
  return { rating, starredAt: current?.starredAt ?? null };
}
