import { useLayoutEffect, useRef } from 'preact/hooks';

/**
 * A ref for a form that puts the keyboard focus in its first input when it opens (the editors that
 * appear on a button press: limits, a provider key, a guardrail). At once, before the browser paints
 * (a layout effect, not an effect that runs a frame later), and never away from a field of the form
 * that already has it: a later move sent the text a user (or a test) was typing into the definition
 * to the name field instead.
 *
 * With `onEscape` (an editor with a Cancel), Esc anywhere in the form does what Cancel does. When the
 * form goes (saved, cancelled, Esc) with the focus in it, the focus returns to what had it when the
 * form opened (the button that opened it), if still on the page, rather than to the top of the page.
 * With `focusOnOpen` false the form opens without taking the focus (shown again after a change made
 * elsewhere, as a config's editor after a rollback).
 */
export function useFocusFirstInput(onEscape?: () => unknown, focusOnOpen = true) {
  const form = useRef<HTMLFormElement>(null);
  const onEscapeRef = useRef(onEscape);
  onEscapeRef.current = onEscape;
  useLayoutEffect(() => {
    const current = form.current;
    if (current === null) return undefined;
    const before = document.activeElement;
    const opener = before instanceof HTMLElement && !current.contains(before) ? before : null;
    if (focusOnOpen && !current.contains(before)) current.querySelector('input')?.focus();
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || onEscapeRef.current === undefined) return;
      event.preventDefault();
      void onEscapeRef.current();
    };
    current.addEventListener('keydown', onKeyDown);
    return () => {
      current.removeEventListener('keydown', onKeyDown);
      const active = document.activeElement;
      const focusLeaves = active === null || active === document.body || current.contains(active);
      if (opener?.isConnected && opener !== document.body && focusLeaves) opener.focus();
    };
  }, []);
  return form;
}
