import { useEffect, useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../graphql';
import { errorText } from '../../ui/errors';
import { plural } from '../../ui/format';
import { PlanForm, planText } from './PlanForm';

const USERS = graphql(`
  query AdminUsers($search: String, $after: String) {
    users(first: 25, after: $after, search: $search) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          displayName
          email
          role
          plan {
            tier
            expiresAt
          }
        }
      }
    }
  }
`);

/** Typing settles for this long before the search is sent. */
const SEARCH_DELAY_MS = 250;

/**
 * The users page: every user (the admin-only `users` query), searched by email or name, 25 at a
 * time with "Show more" (Graphcache merges the pages); a user's plan and expiry are changed in the
 * form under the list.
 */
export function UserPlanAdmin() {
  const [typed, setTyped] = useState('');
  const [search, setSearch] = useState('');
  const [after, setAfter] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  useEffect(() => {
    const t = setTimeout(() => {
      setSearch(typed.trim());
      setAfter(null);
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(t);
  }, [typed]);
  const [{ data, fetching, error }] = useQuery({ query: USERS, variables: { search: search || null, after } });
  const page = data?.users;
  const chosen = page?.edges.find((e) => e.node.id === editing)?.node;
  return (
    <section className="card-section users-admin" aria-labelledby="users-title">
      <h2 id="users-title">Users and plans</h2>
      <label className="field">
        <span>Search users by email or name</span>
        <input className="input" type="search" value={typed} onChange={(e) => setTyped(e.target.value)} />
      </label>
      {error && <p className="alert">Could not list the users: {errorText(error)}.</p>}
      <p className="subtle" aria-live="polite">
        {page ? `${plural(page.totalCount, 'user')}${search ? ` matching “${search}”` : ''}` : '\u00a0'}
      </p>
      {page && page.edges.length > 0 && (
        <table className="users-table" aria-label="Users">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Plan</th>
              <th scope="col">
                <span className="visually-hidden">Change</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {page.edges.map(({ node: u }) => (
              <tr key={u.id} aria-current={u.id === editing ? 'true' : undefined}>
                <td>
                  {u.displayName}
                  {u.role === 'ADMIN' ? ' (administrator)' : ''}
                </td>
                <td>{u.email}</td>
                <td>{planText(u.plan)}</td>
                <td>
                  <button className="btn" aria-label={`Change the plan of ${u.displayName}`} onClick={() => setEditing(u.id)}>
                    Change plan
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page?.pageInfo.hasNextPage && (
        <button className="btn" disabled={fetching} onClick={() => setAfter(page.pageInfo.endCursor ?? null)}>
          Show more users
        </button>
      )}
      {chosen && <PlanForm key={chosen.id} user={chosen} onDone={() => setEditing(null)} />}
    </section>
  );
}
