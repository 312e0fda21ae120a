import type { ComponentChildren } from 'preact';

/** The one row of a table that has none yet: says so (and what makes one) across every column. */
export function EmptyRow(props: { columns: number; children: ComponentChildren }) {
  return (
    <tr>
      <td colSpan={props.columns} class="muted" data-testid="empty-row">
        {props.children}
      </td>
    </tr>
  );
}
