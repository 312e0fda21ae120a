import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

/** The visible slice of `count` rows of `rowHeight` px in a viewport of `height` px scrolled `scrollTop`. */
export function visibleRange(
  count: number,
  rowHeight: number,
  height: number,
  scrollTop: number,
  overscan = 8,
): { start: number; end: number } {
  const first = Math.floor(scrollTop / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + Math.ceil(height / rowHeight) + overscan);
  return { start, end };
}

/**
 * A table that renders only the rows in view (plus a few): a spacer row above and below keeps the
 * scroll height, so tens of thousands of loaded rows cost a screenful of DOM. `onNearEnd` asks for
 * the next page when the last rows come into view.
 */
export function VirtualTable<T>(props: {
  rows: readonly T[];
  columns: readonly { title: string; class?: string }[];
  rowKey: (row: T) => string;
  renderRow: (row: T) => ComponentChildren;
  caption: string;
  height?: number;
  rowHeight?: number;
  onNearEnd?: () => void;
}) {
  const height = props.height ?? 560;
  const rowHeight = props.rowHeight ?? 33;
  const [scrollTop, setScrollTop] = useState(0);
  const { start, end } = visibleRange(props.rows.length, rowHeight, height, scrollTop);
  const onScroll = (event: Event) => {
    const target = event.currentTarget as HTMLElement;
    setScrollTop(target.scrollTop);
    if (props.onNearEnd && target.scrollTop + target.clientHeight >= target.scrollHeight - rowHeight * 5) {
      props.onNearEnd();
    }
  };
  return (
    <section
      class="table-scroll"
      style={{ maxHeight: `${height}px` }}
      onScroll={onScroll}
      tabIndex={0}
      aria-label={props.caption}
    >
      <table class="data">
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((column) => (
              <th scope="col" class={column.class} key={column.title}>
                {column.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {start > 0 ? (
            <tr class="spacer" style={{ height: `${start * rowHeight}px` }}>
              <td colSpan={props.columns.length} />
            </tr>
          ) : null}
          {props.rows.slice(start, end).map((row) => (
            <tr key={props.rowKey(row)} style={{ height: `${rowHeight}px` }}>
              {props.renderRow(row)}
            </tr>
          ))}
          {end < props.rows.length ? (
            <tr class="spacer" style={{ height: `${(props.rows.length - end) * rowHeight}px` }}>
              <td colSpan={props.columns.length} />
            </tr>
          ) : null}
        </tbody>
      </table>
    </section>
  );
}
