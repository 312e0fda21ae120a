import { ApiError, isUnreachable } from '../api.js';

/**
 * An error shown in the view (as text), with `pk init` explained when no admin key exists yet, and a
 * Retry (the page loaded again) when the gateway could not be reached.
 */
export function ErrorNote(props: { error: unknown }) {
  const { error } = props;
  if (error === null || error === undefined) return null;
  const message = error instanceof Error ? error.message : String(error);
  const needsInit = error instanceof ApiError && error.status === 401 && message.includes('pk init');
  return (
    <div class="error" role="alert">
      <p>{message}</p>
      {needsInit ? (
        <p>
          Create the first admin key with <code>pnpm pk init</code> (it writes to the data store directly, the
          gateway may be running), then sign in with it here.
        </p>
      ) : null}
      {isUnreachable(error) ? (
        <button type="button" onClick={() => window.location.reload()}>
          Retry
        </button>
      ) : null}
    </div>
  );
}
