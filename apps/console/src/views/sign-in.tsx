import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorNote } from '../components/error-note.js';
import type { SessionInfo } from '../session.js';

/** Sign-in: a gateway key (admin or user) exchanged for a session cookie the page never reads. */
export function SignIn(props: { onSignedIn: (session: SessionInfo) => void; ended?: boolean }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      props.onSignedIn(await api<SessionInfo>('/session', { method: 'POST', body: { key } }));
      setKey('');
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <main id="main" class="sign-in">
      <h1>pk console</h1>
      {props.ended ? <p role="status">Your session ended: sign in again.</p> : null}
      <form class="card" onSubmit={submit} aria-label="Sign in">
        <label for="sign-in-key">
          Gateway key
          <input
            id="sign-in-key"
            name="key"
            type="password"
            autocomplete="current-password"
            required
            value={key}
            onInput={(event) => setKey((event.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <p class="muted">
          An admin key sees and manages everything; a user key sees its tenant's logs, traces and analytics.
          The key is exchanged for a session cookie (12 hours) and is not kept in the page.
        </p>
        <button type="submit">Sign in</button>
      </form>
      <ErrorNote error={error} />
    </main>
  );
}
