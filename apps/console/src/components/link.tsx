import type { ComponentChildren } from 'preact';
import { BASE, onLinkClick } from '../router.js';

/** A link inside the console: a real `<a href>` (keyboard, new tab), handled without a page load. */
export function Link(props: { to: string; children: ComponentChildren; class?: string; current?: boolean }) {
  return (
    <a
      href={`${BASE}${props.to}`}
      class={props.class}
      aria-current={props.current ? 'page' : undefined}
      onClick={(event) => onLinkClick(event, props.to)}
    >
      {props.children}
    </a>
  );
}
