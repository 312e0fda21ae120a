import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { EmptyRow } from './empty-row.js';

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

/** The row a key moves to from `row` among `count` rows, a page being `page` rows; undefined for other keys. */
export function rowAfterKey(key: string, row: number, count: number, page: number): number | undefined {
  const last = count - 1;
  switch (key) {
    case 'ArrowDown':
      return Math.min(last, row + 1);
    case 'ArrowUp':
      return Math.max(0, row - 1);
    case 'PageDown':
      return Math.min(last, row + page);
    case 'PageUp':
      return Math.max(0, row - page);
    case 'Home':
      return 0;
    case 'End':
      return last;
    default:
      return undefined;
  }
}

/** The links, buttons and fields of a row, in document order. */
const CONTROLS = 'a[href], button, input, select, textarea';
const controlsOf = (row: Element): HTMLElement[] => [...row.querySelectorAll<HTMLElement>(CONTROLS)];

/**
 * A table that renders only the rows in view (plus a few): a spacer row above and below keeps the
 * scroll height, so tens of thousands of loaded rows cost a screenful of DOM. `onNearEnd` asks for
 * the next page when the last rows come into view.
 *
 * By keyboard the rows are one tab stop (a roving tabindex): one control of the current row is in
 * the tab order and every other row's are not, so Tab goes past the table to what follows it however
 * many rows are loaded. Up and Down (Page Up/Down, Home/End) move to another row's control in the
 * same column, scrolling it into view; Left and Right move between the row's controls; Enter follows
 * a link as always. The mouse is unchanged (a click on a row's link makes that row the current one).
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
  /** What the table says when it has no row (nothing while rows are loading). */
  empty?: ComponentChildren;
}) {
  const height = props.height ?? 560;
  const rowHeight = props.rowHeight ?? 33;
  const [scrollTop, setScrollTop] = useState(0);
  // The row (and the control within it) that holds the table's tab stop.
  const [current, setCurrent] = useState({ row: 0, control: 0 });
  const scroller = useRef<HTMLElement>(null);
  // A control the keyboard moved to, focused once its row is rendered.
  const pendingFocus = useRef<{ row: number; control: number } | null>(null);
  const { start, end } = visibleRange(props.rows.length, rowHeight, height, scrollTop);
  // Rows scrolled away with the mouse: the tab stop is the first rendered row, never a missing one.
  const tabRow = current.row >= start && current.row < end ? current.row : start;

  useLayoutEffect(() => {
    const box = scroller.current;
    const body = box?.querySelector('tbody');
    if (!box || !body) return;
    let rowsHoldStop = false;
    for (const row of body.querySelectorAll<HTMLElement>('tr[data-row]')) {
      const controls = controlsOf(row);
      const holder = Number(row.dataset.row) === tabRow ? Math.min(current.control, controls.length - 1) : -1;
      if (holder >= 0) rowsHoldStop = true;
      controls.forEach((control, index) => {
        control.tabIndex = index === holder ? 0 : -1;
      });
    }
    // The region itself is a tab stop only when no row offers one (it must still scroll by keyboard).
    if (rowsHoldStop) box.removeAttribute('tabindex');
    else box.tabIndex = 0;
    const wanted = pendingFocus.current;
    if (wanted) {
      const row = body.querySelector(`tr[data-row="${wanted.row}"]`);
      if (row) {
        pendingFocus.current = null;
        const controls = controlsOf(row);
        controls[Math.min(wanted.control, controls.length - 1)]?.focus();
      }
    }
  });

  const onScroll = (event: Event) => {
    const target = event.currentTarget as HTMLElement;
    setScrollTop(target.scrollTop);
    if (props.onNearEnd && target.scrollTop + target.clientHeight >= target.scrollHeight - rowHeight * 5) {
      props.onNearEnd();
    }
  };

  /** Where a focused control sits: its row's index and its place among the row's controls. */
  const placeOf = (element: EventTarget | null): { row: number; control: number } | undefined => {
    const control = element as HTMLElement | null;
    const row = control?.closest?.('tr[data-row]') as HTMLElement | null;
    if (!control || !row) return undefined;
    return { row: Number(row.dataset.row), control: controlsOf(row).indexOf(control) };
  };

  const onFocusIn = (event: FocusEvent) => {
    const place = placeOf(event.target);
    if (place && place.control >= 0 && (place.row !== current.row || place.control !== current.control))
      setCurrent(place);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const place = placeOf(event.target);
    if (!place || place.control < 0) return;
    const row = scroller.current?.querySelector(`tr[data-row="${place.row}"]`);
    if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
      const controls = row ? controlsOf(row) : [];
      const next = place.control + (event.key === 'ArrowLeft' ? -1 : 1);
      if (next < 0 || next >= controls.length) return;
      event.preventDefault();
      setCurrent({ row: place.row, control: next });
      controls[next]?.focus();
      return;
    }
    const page = Math.max(1, Math.floor(height / rowHeight) - 1);
    const next = rowAfterKey(event.key, place.row, props.rows.length, page);
    if (next === undefined) return;
    event.preventDefault();
    if (next === place.row) return;
    const target = { row: next, control: place.control };
    setCurrent(target);
    pendingFocus.current = target;
    // Scroll the row into view (which renders it, and may ask for the next page near the end).
    const box = scroller.current;
    if (box) {
      const top = next * rowHeight;
      const headHeight = box.querySelector('thead')?.getBoundingClientRect().height ?? rowHeight;
      if (top < box.scrollTop) box.scrollTop = top;
      else if (top + rowHeight + headHeight > box.scrollTop + box.clientHeight)
        box.scrollTop = top + rowHeight + headHeight - box.clientHeight;
    }
  };

  return (
    <section
      ref={scroller}
      class="table-scroll"
      style={{ maxHeight: `${height}px` }}
      onScroll={onScroll}
      onFocusIn={onFocusIn}
      onKeyDown={onKeyDown}
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
          {props.rows.length === 0 && props.empty ? (
            <EmptyRow columns={props.columns.length}>{props.empty}</EmptyRow>
          ) : null}
          {start > 0 ? (
            <tr class="spacer" style={{ height: `${start * rowHeight}px` }}>
              <td colSpan={props.columns.length} />
            </tr>
          ) : null}
          {props.rows.slice(start, end).map((row, index) => (
            <tr key={props.rowKey(row)} data-row={start + index} style={{ height: `${rowHeight}px` }}>
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
