import { useEffect, useRef, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../graphql';
import { errorText } from '../../ui/errors';
import { notify } from '../../ui/notices';
import '../playlists/playlists.css';

const API_KEYS = graphql(`
  query ApiKeys {
    me {
      id
      apiKeys {
        id
        name
        createdAt
        lastUsedAt
      }
    }
  }
`);

const CREATE_API_KEY = graphql(`
  mutation CreateApiKey($name: String!) {
    createApiKey(name: $name) {
      secret
      apiKey {
        id
        name
        createdAt
        lastUsedAt
      }
    }
  }
`);

const REVOKE_API_KEY = graphql(`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id)
  }
`);

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

interface Created {
  name: string;
  secret: string;
}

/** The secret of a key just created: shown once, with what to enter in a Subsonic app. */
function NewSecret({ created, onDone }: { created: Created; onDone: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => heading.current?.focus(), [created]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.secret);
      notify('API key copied.');
    } catch {
      // No clipboard (e.g. plain HTTP away from localhost): select it for the user to copy.
      field.current?.select();
      notify('Copying is not allowed here: the key is selected, copy it with Ctrl+C.', { tone: 'error' });
    }
  };
  return (
    <div className="api-key-secret" role="group" aria-labelledby="api-key-secret-title">
      <h3 id="api-key-secret-title" ref={heading} tabIndex={-1}>
        Your new key “{created.name}”
      </h3>
      <p className="alert info">This key is shown only once. Copy it now: it is not stored in readable form and cannot be shown again.</p>
      <div className="api-key-copy">
        <label className="field">
          <span>API key</span>
          <input ref={field} className="input mono" readOnly value={created.secret} onFocus={(e) => e.currentTarget.select()} />
        </label>
        <button className="btn primary" type="button" onClick={() => void copy()}>
          Copy key
        </button>
      </div>
      <p>In a Subsonic or OpenSubsonic app, add a server with:</p>
      <dl className="api-key-setup">
        <dt>Server address</dt>
        <dd className="mono">{window.location.origin}</dd>
        <dt>API key</dt>
        <dd>the key above (leave the username empty)</dd>
      </dl>
      <button className="btn" type="button" onClick={onDone}>
        Done, I saved it
      </button>
    </div>
  );
}

/** One key in the list: revoking asks first. */
function KeyRow({ apiKey, onRevoked }: { apiKey: { id: string; name: string; createdAt: string; lastUsedAt: string | null }; onRevoked: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [state, revoke] = useMutation(REVOKE_API_KEY);
  const keep = useRef<HTMLButtonElement>(null);
  const ask = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) keep.current?.focus();
  }, [confirming]);
  const cancel = () => {
    setConfirming(false);
    setTimeout(() => ask.current?.focus());
  };
  return (
    <li className="api-key-row">
      <div>
        <strong>{apiKey.name}</strong>
        <span className="subtle">
          {' '}
          · created {when(apiKey.createdAt)} · {apiKey.lastUsedAt ? `last used ${when(apiKey.lastUsedAt)}` : 'never used'}
        </span>
      </div>
      {confirming ? (
        <span className="confirm" role="group" aria-label={`Confirm revoking ${apiKey.name}`} onKeyDown={(e) => e.key === 'Escape' && cancel()}>
          Revoke “{apiKey.name}”? Apps using it stop working.
          <button
            className="btn danger"
            disabled={state.fetching}
            onClick={() =>
              void revoke({ id: apiKey.id }).then((r) => {
                if (r.data?.revokeApiKey) {
                  notify(`Key “${apiKey.name}” revoked.`);
                  onRevoked();
                }
              })
            }
          >
            Revoke
          </button>
          <button ref={keep} className="btn" onClick={cancel}>
            Keep it
          </button>
        </span>
      ) : (
        <button ref={ask} className="btn" onClick={() => setConfirming(true)}>
          Revoke<span className="visually-hidden"> {apiKey.name}</span>
        </button>
      )}
      {state.error && <p className="alert">Could not revoke the key: {errorText(state.error)}.</p>}
    </li>
  );
}

/** Apps and API keys: the keys a Subsonic app (or any non-browser client) signs in with. */
export function ApiKeys() {
  const [{ data, error }] = useQuery({ query: API_KEYS, requestPolicy: 'cache-and-network' });
  const [creating, createKey] = useMutation(CREATE_API_KEY);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<Created | null>(null);
  const title = useRef<HTMLHeadingElement>(null);
  const nameField = useRef<HTMLInputElement>(null);
  const keys = data?.me?.apiKeys;
  return (
    <section className="card-section api-keys" aria-labelledby="api-keys-title">
      <h2 id="api-keys-title" ref={title} tabIndex={-1}>
        Apps and API keys
      </h2>
      <p className="subtle">
        A key lets a Subsonic app on your phone or computer play your music as you, without your password. Give each app its own key, and revoke a key when you
        no longer use the app: it stops working within a second.
      </p>
      {error && !keys && <p className="alert">Could not load your keys: {errorText(error)}.</p>}
      {keys === undefined && !error && <div className="skeleton" style={{ height: 48 }} aria-busy="true" />}
      {keys &&
        (keys.length === 0 ? (
          <p>You have no API keys yet.</p>
        ) : (
          <ul className="api-key-list" aria-label="Your API keys">
            {keys.map((k) => (
              <KeyRow key={k.id} apiKey={k} onRevoked={() => title.current?.focus()} />
            ))}
          </ul>
        ))}
      {created ? (
        <NewSecret
          created={created}
          onDone={() => {
            setCreated(null);
            setTimeout(() => nameField.current?.focus());
          }}
        />
      ) : (
        <form
          className="playlist-form"
          aria-label="New API key"
          onSubmit={(e) => {
            e.preventDefault();
            // The server trims the name and says when it is not 1 to 100 characters.
            void createKey({ name }).then((r) => {
              if (r.data) {
                setCreated({ name: r.data.createApiKey.apiKey.name, secret: r.data.createApiKey.secret });
                setName('');
              }
            });
          }}
        >
          <label className="field">
            <span>Name of the new key</span>
            <input
              ref={nameField}
              className="input"
              required
              maxLength={100}
              placeholder="e.g. Symfonium on my phone"
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          </label>
          {creating.error && <p className="alert">Could not create the key: {errorText(creating.error)}.</p>}
          <button className="btn primary" type="submit" disabled={creating.fetching}>
            Create key
          </button>
        </form>
      )}
    </section>
  );
}
