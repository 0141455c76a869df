import { useQuery } from 'urql';
import { graphql } from '../../graphql';
import type { SessionUser } from './auth-api';
import { useUser } from './session-context';

/** The signed-in user's entity as the normalised cache holds it (never fetched from here). */
const CACHED_ME = graphql(`
  query CachedMe {
    me {
      id
      displayName
      plan {
        tier
        expiresAt
      }
    }
  }
`);

/**
 * The signed-in user for what the shell shows (name, plan): the `me` entity of the normalised
 * cache once a page has read it, so a change answered by the API (a rename on the account page
 * returns the User) shows everywhere at once; before that, the user the session began with.
 * `cache-only`: it never costs a request, and Graphcache runs it again when `me` is written.
 */
export function useProfile(): SessionUser {
  const user = useUser();
  const [{ data }] = useQuery({ query: CACHED_ME, requestPolicy: 'cache-only' });
  const me = data?.me;
  return me && me.id === user.id ? { ...user, displayName: me.displayName, plan: me.plan } : user;
}
