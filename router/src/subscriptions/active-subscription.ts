import type { DocumentNode, ExecutionResult, FieldNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import type { Viewer } from '@ytm/auth';
import { BoundedQueue } from './bounded-queue.js';
import type { SubscriptionField } from './subscription-fields.js';

/** One client subscription: what it selected, who it is, and its bounded outbox of results. */
export interface ActiveSubscription {
  id: string;
  viewer: Viewer;
  /** The subscriber's own Authorization header, forwarded on entity fetches (so `Track.liked` is theirs). */
  authorization: string;
  fieldName: string;
  responseKey: string;
  field: SubscriptionField;
  args: Record<string, unknown>;
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  rootField: FieldNode;
  variables: Record<string, unknown>;
  entityQuery: DocumentNode | undefined;
  /** Subscribers with the same key share each event's fetches. */
  shareKey: string;
  /** The key is the same for every user (the selection reads nothing user-dependent). */
  sharedAcrossUsers: boolean;
  /** `Track.liked` is fetched as track IDs and filled in for each subscriber from one likes lookup (viewer-fields.ts). */
  likedBatched: boolean;
  /** What the field's access rule read when the subscriber subscribed (its owner, say). */
  accessData?: Record<string, unknown>;
  queue: BoundedQueue<ExecutionResult>;
  /** Called when the queue overflows: the client is too slow and gets disconnected. */
  onOverflow: () => void;
}
