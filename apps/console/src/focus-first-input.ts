import { useEffect, useRef } from 'preact/hooks';

/**
 * A ref for a form that puts the keyboard focus in its first input when it opens (the editors that
 * appear on a button press: limits, a provider key, a guardrail).
 */
export function useFocusFirstInput() {
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    form.current?.querySelector('input')?.focus();
  }, []);
  return form;
}
