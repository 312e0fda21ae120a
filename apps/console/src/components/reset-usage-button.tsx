import { api } from '../api.js';

/**
 * "Reset usage" for a key whose budget refuses (`status: exhausted`; nothing for any other status):
 * asks first, then sends Portkey's `reset_usage: true` to the key's admin path (`/virtual-keys/<slug>`,
 * `/api-keys/<id>`). The budget's period starts again from zero; the key's other fields stay as they are.
 */
export function ResetUsageButton(props: {
  /** The key's status: the button is there for `exhausted` only. */
  readonly status: string;
  /** The key as the list shows it (its slug or name). */
  readonly name: string;
  readonly path: string;
  readonly onDone: () => unknown;
  readonly onError: (error: unknown) => void;
}) {
  const reset = async () => {
    if (
      !window.confirm(`Reset the usage of ${props.name}? Its budget starts again from zero for this period.`)
    )
      return;
    await api(props.path, { method: 'PUT', body: { reset_usage: true } }).catch(props.onError);
    await props.onDone();
  };
  if (props.status !== 'exhausted') return null;
  return (
    <>
      <button type="button" onClick={reset} aria-label={`Reset usage of ${props.name}`}>
        Reset usage
      </button>{' '}
    </>
  );
}
