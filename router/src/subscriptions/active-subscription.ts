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
  queue: BoundedQueue<ExecutionResult>;
  /** Called when the queue overflows: the client is too slow and gets disconnected. */
  onOverflow: () => void;
}
