import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useFocusFirstInput } from '../focus-first-input.js';
import { ErrorNote } from './error-note.js';

/**
 * Replaces the provider API key a virtual key (or an integration, with `path` and `effect`) holds:
 * the new key in a password field, sent once with `PUT <path>` (`key`), kept encrypted by the gateway
 * and never shown again; the field is emptied whatever the answer. Requests use the new key at once.
 */
export function ReplaceKeyForm(props: {
  readonly slug: string;
  /** Where the key goes: `/virtual-keys/<slug>` unless given. */
  readonly path?: string;
  /** Who uses the new key at once: "Requests that name <slug>" unless given. */
  readonly effect?: string;
  readonly onClose: (saved: boolean) => unknown;
}) {
  const [secret, setSecret] = useState('');
  // A refusal is said here, by the buttons: the view's error line is out of view.
  const [error, setError] = useState<unknown>(null);
  const form = useFocusFirstInput(() => props.onClose(false));
  const save = async (event: Event) => {
    event.preventDefault();
    const key = secret;
    setSecret('');
    setError(null);
    try {
      await api(props.path ?? `/virtual-keys/${encodeURIComponent(props.slug)}`, {
        method: 'PUT',
        body: { key },
      });
      await props.onClose(true);
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <form ref={form} class="card" onSubmit={save} aria-label={`Replace the provider key of ${props.slug}`}>
      <h2>Replace the provider key of {props.slug}</h2>
      <p class="muted">
        {props.effect ?? `Requests that name ${props.slug}`} use the new key at once; the old one is gone. The
        key is stored encrypted and never shown again.
      </p>
      <label for="vk-replace-key">
        New provider API key
        <input
          id="vk-replace-key"
          type="password"
          required
          autocomplete="off"
          value={secret}
          onInput={(event) => setSecret((event.currentTarget as HTMLInputElement).value)}
        />
      </label>
      <ErrorNote error={error} reveal />
      <div class="actions">
        <button type="submit">Replace key</button>
        <button type="button" onClick={() => props.onClose(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
