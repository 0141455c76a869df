import {
  ANNOTATION_KINDS,
  checkItemId,
  checkKind,
  checkRating,
  checkStarredItems,
  checkUserId,
  MAX_ANNOTATIONS_PER_USER,
  rated,
  STARRED_KINDS,
  starred,
  type Annotation,
  type AnnotationRepository,
} from './annotation.js';
import type { Clock } from './ports.js';

export interface AnnotationServiceDeps {
  annotations: AnnotationRepository;
  clock: Clock;
}

/**
 * Ratings and album/artist stars, for the user ytm-subsonic authenticated (its gRPC calls name
 * the user; only subsonic may make them). Whether an album or artist exists is the caller's
 * check (it reads the library); malformed input changes nothing.
 */
export class AnnotationService {
  constructor(private readonly deps: AnnotationServiceDeps) {}

  list(userId: string): Promise<Annotation[]> {
    checkUserId(userId);
    return this.deps.annotations.listByUser(userId, MAX_ANNOTATIONS_PER_USER);
  }

  setRating(userId: string, kind: string, itemId: string, rating: number): Promise<Annotation> {
    checkUserId(userId);
    const k = checkKind(kind, ANNOTATION_KINDS);
    checkItemId(itemId);
    const value = checkRating(rating);
    return this.deps.annotations.update(userId, k, itemId, (current) => rated(current, value));
  }

  /** All items are checked before any changes. */
  async setStarred(userId: string, kind: string, itemIds: readonly string[], on: boolean): Promise<Annotation[]> {
    checkUserId(userId);
    const k = checkKind(kind, STARRED_KINDS);
    checkStarredItems(itemIds);
    const now = this.deps.clock.now();
    const out: Annotation[] = [];
    for (const id of new Set(itemIds)) out.push(await this.deps.annotations.update(userId, k, id, (current) => starred(current, on, now)));
    return out;
  }
}
