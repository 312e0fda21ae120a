import { useLayoutEffect, useRef } from 'preact/hooks';

/**
 * A ref for a form that puts the keyboard focus in its first input when it opens (the editors that
 * appear on a button press: limits, a provider key, a guardrail). At once, before the browser paints
 * (a layout effect, not an effect that runs a frame later), and never away from a field of the form
 * that already has it: a later move sent the text a user (or a test) was typing into the definition
 * to the name field instead.
 */
export function useFocusFirstInput() {
  const form = useRef<HTMLFormElement>(null);
  useLayoutEffect(() => {
    const current = form.current;
    if (current === null || current.contains(document.activeElement)) return;
    current.querySelector('input')?.focus();
  }, []);
  return form;
}
