import { useEffect, useRef } from 'preact/hooks';
import { ApiError, isUnreachable } from '../api.js';

/**
 * An error shown in the view (as text), with `pk init` explained when no admin key exists yet, and a
 * Retry (the page loaded again) when a read got no answer from the gateway; never for a write, whose
 * form holds what the user typed (they send it again with its own button).
 */
export function ErrorNote(props: {
  error: unknown;
  /**
   * Scroll the error into view when it comes (an editor's: a save refused while the field the user
   * pressed Enter in, or the button, is far from where the error is said).
   */
  reveal?: boolean;
}) {
  const { error } = props;
  const note = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (props.reveal) note.current?.scrollIntoView?.({ block: 'nearest' });
  }, [error, props.reveal]);
  if (error === null || error === undefined) return null;
  const message = error instanceof Error ? error.message : String(error);
  const needsInit = error instanceof ApiError && error.status === 401 && message.includes('pk init');
  return (
    <div ref={note} class="error" role="alert">
      <p>{message}</p>
      {needsInit ? (
        <p>
          Create the first admin key with <code>pnpm pk init</code> (it writes to the data store directly, the
          gateway may be running), then sign in with it here.
        </p>
      ) : null}
      {isUnreachable(error) && (error as ApiError).method === 'GET' ? (
        <button type="button" onClick={() => window.location.reload()}>
          Retry
        </button>
      ) : null}
    </div>
  );
}
