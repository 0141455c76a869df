import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from '../../app/router';
import { graphql } from '../../graphql';
import { errorCode, errorText } from '../../ui/errors';
import { useSession, useUser } from '../auth/session-context';
import { ApiKeys } from './ApiKeys';
import './account.css';

const ACCOUNT = graphql(`
  query Account {
    me {
      id
      displayName
      email
      role
      createdAt
      plan {
        tier
        expiresAt
      }
      playbackQuota {
        tier
        playsToday
        dailyLimit
        maxConcurrentStreams
      }
    }
  }
`);

const UPDATE_PROFILE = graphql(`
  mutation UpdateProfile($displayName: String!) {
    updateProfile(displayName: $displayName) {
      id
      displayName
    }
  }
`);

const CHANGE_PASSWORD = graphql(`
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)
  }
`);

const date = (iso: string) => new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });

/** Hours and minutes until 00:00 UTC, when the daily plays start again. */
function untilReset(now = new Date()): string {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  const m = Math.ceil((next - now.getTime()) / 60_000);
  return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m} min`;
}

/** Today's plays against the plan's limit, and what happens at the limit. */
function Quota({ quota }: { quota: { tier: string; playsToday: number; dailyLimit: number | null; maxConcurrentStreams: number } }) {
  const { playsToday, dailyLimit } = quota;
  const reached = dailyLimit !== null && playsToday >= dailyLimit;
  return (
    <section className="card-section" aria-labelledby="quota-title">
      <h2 id="quota-title">Today’s plays</h2>
      {dailyLimit === null ? (
        <p>{playsToday.toLocaleString()} today. Your plan has no daily limit.</p>
      ) : (
        <>
          <p>
            <strong>
              {playsToday.toLocaleString()} of {dailyLimit.toLocaleString()}
            </strong>{' '}
            plays used today (counted from 00:00 UTC).
          </p>
          <meter min={0} max={dailyLimit} value={Math.min(playsToday, dailyLimit)} aria-label={`${playsToday} of ${dailyLimit} plays used today`} />
          {reached ? (
            <p className="alert" role="alert">
              You have used all {dailyLimit} plays of the Free plan for today, so starting a track is refused (the server answers QUOTA_EXCEEDED) until the
              count resets at 00:00 UTC, in {untilReset()}. Premium has no daily limit.
            </p>
          ) : (
            <p className="subtle">
              When the {dailyLimit} are used, new tracks will not start until 00:00 UTC (in {untilReset()}); a track already playing finishes.
            </p>
          )}
        </>
      )}
      <p className="subtle">
        {quota.maxConcurrentStreams === 1 ? 'One device plays at a time' : `${quota.maxConcurrentStreams} devices can play at once`}: starting on another device
        stops the oldest.
      </p>
    </section>
  );
}

/** The account: name, password, plan and today's quota, apps and API keys, sign out; on phones also the way to the collection. */
export function AccountPage() {
  const session = useSession();
  const user = useUser();
  const [{ data }] = useQuery({ query: ACCOUNT, requestPolicy: 'cache-and-network' });
  const [profile, updateProfile] = useMutation(UPDATE_PROFILE);
  const [password, changePassword] = useMutation(CHANGE_PASSWORD);
  const [name, setName] = useState<string | null>(null);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [saved, setSaved] = useState<'name' | 'password' | null>(null);
  const me = data?.me;
  if (!me) return <div className="skeleton" style={{ height: 232 }} aria-busy="true" />;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Account</h1>
          <p className="subtle">
            {me.email} · member since {date(me.createdAt)}
          </p>
        </div>
        <button className="btn" onClick={() => void session.signOut()}>
          Sign out
        </button>
      </div>
      <nav className="account-links" aria-label="Your music">
        <Link to="/liked">Liked</Link>
        <Link to="/lists">Playlists</Link>
        <Link to="/history">Recently played</Link>
        {user.role === 'ADMIN' && <Link to="/admin">Administration</Link>}
      </nav>
      <section className="card-section" aria-labelledby="plan-title">
        <h2 id="plan-title">Plan</h2>
        <p>
          <strong>{me.plan.tier === 'PREMIUM' ? 'Premium' : 'Free'}</strong>
          {me.plan.expiresAt ? ` until ${date(me.plan.expiresAt)}` : me.plan.tier === 'PREMIUM' ? ', does not expire' : ''}
          {me.role === 'ADMIN' ? ' · Administrator' : ''}
        </p>
        <p className="subtle">Your user ID: {me.id}</p>
      </section>
      <Quota quota={me.playbackQuota} />
      <form
        className="card-section playlist-form"
        aria-label="Display name"
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(null);
          void updateProfile({ displayName: (name ?? me.displayName).trim() }).then((r) => r.data && setSaved('name'));
        }}
      >
        <h2>Display name</h2>
        <label className="field">
          <span>Name others see</span>
          <input className="input" required maxLength={100} value={name ?? me.displayName} onChange={(e) => setName(e.target.value)} />
        </label>
        {profile.error && <p className="alert">Could not change the name: {errorText(profile.error)}.</p>}
        {saved === 'name' && <p className="alert info">Saved.</p>}
        <button className="btn primary" type="submit" disabled={profile.fetching}>
          Save name
        </button>
      </form>
      <form
        className="card-section playlist-form"
        aria-label="Password"
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(null);
          void changePassword({ currentPassword: current, newPassword: next }).then((r) => {
            if (r.data?.changePassword) {
              setSaved('password');
              setCurrent('');
              setNext('');
            }
          });
        }}
      >
        <h2>Password</h2>
        <label className="field">
          <span>Current password</span>
          <input className="input" type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} />
        </label>
        <label className="field">
          <span>New password</span>
          <input className="input" type="password" autoComplete="new-password" required minLength={8} value={next} onChange={(e) => setNext(e.target.value)} />
        </label>
        {password.error && (
          <p className="alert">
            {errorCode(password.error) === 'UNAUTHENTICATED'
              ? 'The current password is not right.'
              : `Could not change the password: ${errorText(password.error)}.`}
          </p>
        )}
        {saved === 'password' && <p className="alert info">Password changed.</p>}
        <button className="btn primary" type="submit" disabled={password.fetching}>
          Change password
        </button>
      </form>
      <ApiKeys />
    </>
  );
}
