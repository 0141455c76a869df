import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, OperationTypeNode, type OperationDefinitionNode } from 'graphql';
import type { RouterContext } from '../http/router-context.js';

/** The only root fields callable without an access token (api.graphql). */
export const PUBLIC_MUTATIONS = new Set(['signUp', 'signIn', 'refreshSession']);

/** True when every root selection is a public mutation field (or __typename). */
export function isPublicOperation(operation: OperationDefinitionNode): boolean {
  if (operation.operation !== OperationTypeNode.MUTATION) return false;
  return operation.selectionSet.selections.every(
    (s) => s.kind === Kind.FIELD && (PUBLIC_MUTATIONS.has(s.name.value) || s.name.value === '__typename') && (s.directives?.length ?? 0) === 0,
  );
}

/** Rejects, before any subgraph is called, operations that need a token and came without one. */
export function publicOperationsPlugin(): ApolloServerPlugin<RouterContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (contextValue.viewer || (operation && isPublicOperation(operation))) return;
          throw new GraphQLError('Authentication required', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
        },
      };
    },
  };
}
