import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorNote } from './error-note.js';

/**
 * "Disable" for an active virtual key, "Enable" for a disabled one: asks first, then writes the key's
 * `status` (`disabled` or `active`) to its admin path. A disabled key keeps its record and history;
 * the gateway refuses requests naming it until it is enabled. A refusal is said by the button.
 */
export function DisableKeyButton(props: {
  /** The key's status: `disabled` offers Enable, any other Disable. */
  readonly status: string;
  /** The key as the list shows it (its slug). */
  readonly name: string;
  readonly path: string;
  readonly onDone: () => unknown;
}) {
  const [error, setError] = useState<unknown>(null);
  const disabled = props.status === 'disabled';
  const question = disabled
    ? `Enable the virtual key ${props.name}? Requests that name it are served again.`
    : `Disable the virtual key ${props.name}? Requests that name it are refused until it is enabled again; the key and its history are kept.`;
  const toggle = async () => {
    if (!window.confirm(question)) return;
    setError(null);
    try {
      await api(props.path, { method: 'PUT', body: { status: disabled ? 'active' : 'disabled' } });
    } catch (caught) {
      setError(caught);
    }
    await props.onDone();
  };
  const label = disabled ? 'Enable' : 'Disable';
  return (
    <>
      <button type="button" onClick={toggle} aria-label={`${label} ${props.name}`}>
        {label}
      </button>{' '}
      <ErrorNote error={error} reveal />
    </>
  );
}
