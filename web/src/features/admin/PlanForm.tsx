import { useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../../graphql';
import { errorText } from '../../ui/errors';

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

export interface PlanUser {
  id: string;
  displayName: string;
  email: string;
  plan: { tier: 'FREE' | 'PREMIUM'; expiresAt: string | null };
}

export const planText = (plan: PlanUser['plan']) =>
  `${plan.tier === 'PREMIUM' ? 'Premium' : 'Free'}${plan.expiresAt ? ` until ${plan.expiresAt.slice(0, 10)}` : ''}`;

/**
 * One user's plan and its expiry (a date, the end of that day UTC; empty: never). The answer is
 * the User entity, so the users list above shows the new plan through the normalised cache.
 */
export function PlanForm({ user, onDone }: { user: PlanUser; onDone: () => void }) {
  const [tier, setTier] = useState<'FREE' | 'PREMIUM'>(user.plan.tier);
  const [expires, setExpires] = useState(user.plan.expiresAt ? user.plan.expiresAt.slice(0, 10) : '');
  const [saved, setPlan] = useMutation(SET_PLAN);
  const [done, setDone] = useState(false);
  const save = async () => {
    setDone(false);
    const r = await setPlan({ userId: user.id, tier, expiresAt: tier === 'PREMIUM' && expires ? new Date(`${expires}T23:59:59Z`).toISOString() : null });
    if (r.data) setDone(true);
  };
  return (
    <form
      className="playlist-form plan-form"
      aria-label={`Plan of ${user.displayName}`}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <p>
        <strong>{user.displayName}</strong> ({user.email}) · now {planText(user.plan)}
      </p>
      <label className="field">
        <span>Plan</span>
        <select className="select" value={tier} onChange={(e) => setTier(e.target.value as 'FREE' | 'PREMIUM')}>
          <option value="FREE">Free</option>
          <option value="PREMIUM">Premium</option>
        </select>
      </label>
      <label className="field">
        <span>Expires on (UTC, empty: never; Premium only)</span>
        <input className="input" type="date" value={expires} disabled={tier === 'FREE'} onChange={(e) => setExpires(e.target.value)} />
      </label>
      {saved.error && <p className="alert">Could not change the plan: {errorText(saved.error)}.</p>}
      {done && <p className="alert info">Plan saved.</p>}
      <div className="actions">
        <button className="btn primary" type="submit" disabled={saved.fetching}>
          Save plan
        </button>
        <button className="btn" type="button" onClick={onDone}>
          Close
        </button>
      </div>
    </form>
  );
}
