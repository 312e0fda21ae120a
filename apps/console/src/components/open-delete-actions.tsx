/**
 * The actions cell of a record the console can open and delete (a saved config, a guardrail):
 * *Open*, and *Delete* unless the settings file manages the record (then "settings file").
 */
export function OpenDeleteActions(props: {
  readonly slug: string;
  /** The settings file that manages the record, or null for the store's. */
  readonly managedBy: string | null;
  readonly onOpen: () => unknown;
  readonly onDelete: () => unknown;
}) {
  const { slug } = props;
  return (
    <td>
      <button type="button" onClick={props.onOpen} aria-label={`Open ${slug}`}>
        Open
      </button>{' '}
      {props.managedBy ? (
        <span class="muted">settings file</span>
      ) : (
        <button type="button" class="danger" onClick={props.onDelete} aria-label={`Delete ${slug}`}>
          Delete
        </button>
      )}
    </td>
  );
}
