import { useState } from 'react';
import { useClient, useMutation } from 'urql';
import { graphql, type ResultOf } from '../../graphql';
import { errorText } from '../../ui/errors';

const USER = graphql(`
  query AdminUser($id: ID!) {
    user(id: $id) {
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
`);

const SET_PLAN = graphql(`
  mutation SetUserPlan($userId: ID!, $tier: PlanTier!, $expiresAt: DateTime) {
    setUserPlan(userId: $userId, tier: $tier, expiresAt: $expiresAt) {
      id
      plan {
        tier
        expiresAt
      }
    }
  }
`);

type Found = NonNullable<ResultOf<typeof USER>['user']>;

/**
 * A user's plan and its expiry. The API has no list of users (only `user(id:)`), so the user is
 * looked up by the ID their account page shows.
 */
export function UserPlanAdmin() {
  const client = useClient();
  const [id, setId] = useState('');
  const [found, setFound] = useState<Found | null | undefined>(undefined);
  const [tier, setTier] = useState<'FREE' | 'PREMIUM'>('PREMIUM');
  const [expires, setExpires] = useState('');
  const [saved, setPlan] = useMutation(SET_PLAN);
  const [done, setDone] = useState(false);
  const lookUp = async () => {
    setDone(false);
    const r = await client.query(USER, { id: id.trim() }, { requestPolicy: 'network-only' }).toPromise();
    const u = r.data?.user ?? null;
    setFound(u);
    if (u) {
      setTier(u.plan.tier);
      setExpires(u.plan.expiresAt ? u.plan.expiresAt.slice(0, 10) : '');
    }
  };
  const save = async () => {
    if (!found) return;
    const r = await setPlan({ userId: found.id, tier, expiresAt: expires ? new Date(`${expires}T23:59:59Z`).toISOString() : null });
    if (r.data) {
      setFound({ ...found, plan: r.data.setUserPlan.plan });
      setDone(true);
    }
  };
  return (
    <section className="card-section" aria-labelledby="users-title">
      <h2 id="users-title">Users and plans</h2>
      <form
        className="playlist-form"
        aria-label="Find a user"
        onSubmit={(e) => {
          e.preventDefault();
          void lookUp();
        }}
      >
        <label className="field">
          <span>User ID (shown on the user’s account page)</span>
          <input className="input" required value={id} onChange={(e) => setId(e.target.value)} />
        </label>
        <button className="btn" type="submit">
          Find user
        </button>
      </form>
      {found === null && <p className="alert">No user with this ID.</p>}
      {found && (
        <form
          className="playlist-form"
          aria-label="Change the plan"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <p>
            <strong>{found.displayName}</strong> ({found.email}) · now {found.plan.tier === 'PREMIUM' ? 'Premium' : 'Free'}
            {found.plan.expiresAt ? ` until ${found.plan.expiresAt.slice(0, 10)}` : ''}
          </p>
          <label className="field">
            <span>Plan</span>
            <select className="select" value={tier} onChange={(e) => setTier(e.target.value as 'FREE' | 'PREMIUM')}>
              <option value="FREE">Free</option>
              <option value="PREMIUM">Premium</option>
            </select>
          </label>
          <label className="field">
            <span>Expires on (UTC, empty: never)</span>
            <input className="input" type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
          </label>
          {saved.error && <p className="alert">Could not change the plan: {errorText(saved.error)}.</p>}
          {done && <p className="alert info">Plan saved.</p>}
          <button className="btn primary" type="submit" disabled={saved.fetching}>
            Save plan
          </button>
        </form>
      )}
    </section>
  );
}
