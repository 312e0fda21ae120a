import { describe, expect, it } from 'vitest';
import { compileRawHook } from '../compile/compile-hook.js';
import type { CompiledHook } from '../compile/compiled-hook.js';
import { ArgumentsWindowGuard } from './arguments-window-guard.js';

function hook(checks: Record<string, unknown>[], deny = true): CompiledHook {
  const result = compileRawHook(
    { id: 'h', deny, checks },
    { origin: 'config', segments: [], root: 'hook', guardrails: new Map(), defaultId: 'h' },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.hook;
}

const denyWord = (word: string) =>
  hook([{ id: 'default.regexMatch', parameters: { rule: word, not: true } }]);

/** Pushes each piece, then finishes the call; what went out, or `denied`. */
function run(guard: ArgumentsWindowGuard, pieces: readonly string[], call = '0:0'): string {
  let out = '';
  for (const piece of pieces) {
    const step = guard.push(call, piece);
    if (step.denied) return `${out}<denied>`;
    out += step.release;
  }
  const end = guard.finish(call);
  return end.denied ? `${out}<denied>` : out + end.release;
}

describe('ArgumentsWindowGuard', () => {
  it('passes clean arguments through exactly as written, escapes and emoji included', () => {
    const pieces = ['{"loc', 'ation":"Caf\\u00', 'e9 \\"', 'x\\" ☕', '","n":[1,', 'true,null]}'];
    expect(run(new ArgumentsWindowGuard([denyWord('forbidden')]), pieces)).toBe(pieces.join(''));
  });

  it('denies a forbidden word in a string value, split across deltas, before it leaves', () => {
    const guard = new ArgumentsWindowGuard([denyWord('FORBIDDEN')], 16);
    const out = run(guard, ['{"plan":"the FORB', 'IDDEN plan"}']);
    expect(out).toBe('{"plan":"<denied>');
    expect(out).not.toContain('FORB');
  });

  it('reads values decoded, as a JSON answer’s check does: an escape cannot hide a word', () => {
    expect(run(new ArgumentsWindowGuard([denyWord('secret')]), ['{"a":"\\u0073ecret"}'])).toContain(
      '<denied>',
    );
  });

  it('does not judge keys, as a JSON answer’s check does not', () => {
    const text = '{"password":"hunter-two"}';
    expect(run(new ArgumentsWindowGuard([denyWord('password')]), [text])).toBe(text);
  });

  it('holds a long value back by the window and releases it whole at its closing quote', () => {
    const guard = new ArgumentsWindowGuard([denyWord('FORBIDDEN')], 16);
    const first = guard.push('c', `{"text":"${'a'.repeat(40)}`);
    expect(first.release).toBe(`{"text":"${'a'.repeat(24)}`);
    const rest = guard.push('c', 'b"}');
    expect(first.release + rest.release).toBe(`{"text":"${'a'.repeat(40)}b"}`);
    expect(guard.sentArguments('c')).toBe(`{"text":"${'a'.repeat(40)}b"}`);
  });

  it('never releases half of a character of two UTF-16 units', () => {
    const guard = new ArgumentsWindowGuard([denyWord('FORBIDDEN')], 16);
    // The window ends between the two halves of 😀.
    const step = guard.push('c', `{"t":"${'a'.repeat(3)}😀${'b'.repeat(15)}`);
    expect(step.release).toBe('{"t":"aaa');
    expect(run(guard, ['"}'], 'c')).toBe(`😀${'b'.repeat(15)}"}`);
  });

  it('keeps parallel calls apart: a value of one call does not join another’s', () => {
    const guard = new ArgumentsWindowGuard([denyWord('FORBIDDEN')], 16);
    expect(guard.push('0:0', '{"a":"FORB').denied).toBe(false);
    expect(guard.push('0:1', '{"b":"IDDEN"}').denied).toBe(false);
    expect(guard.push('0:0', 'ID"}').denied).toBe(false);
    expect(guard.finish('0:0').denied).toBe(false);
    expect(guard.sentArguments('0:0')).toBe('{"a":"FORBID"}');
    expect(guard.sentArguments('0:1')).toBe('{"b":"IDDEN"}');
  });

  it('redacts inside a value and keeps the arguments valid JSON', () => {
    const guard = new ArgumentsWindowGuard([hook([{ id: 'pk.pii', parameters: { redact: true } }], false)]);
    const out = run(guard, ['{"to":"jane@exa', 'mple.com","q":"say \\"hi\\""}']);
    expect(JSON.parse(out)).toEqual({ to: '[REDACTED_EMAIL]', q: 'say "hi"' });
  });

  it('judges arguments that are not JSON as plain text', () => {
    expect(run(new ArgumentsWindowGuard([denyWord('FORBIDDEN')]), ['x FORBIDDEN'])).toBe('<denied>');
    expect(run(new ArgumentsWindowGuard([denyWord('FORBIDDEN')]), ['x fine'])).toBe('x fine');
  });

  it('with no check that judges arguments, passes them as they come', () => {
    const guard = new ArgumentsWindowGuard([denyWord('FORBIDDEN')], 16, () => false);
    expect(guard.scans).toBe(false);
    expect(guard.push('c', '{"a":"FORBIDDEN"').release).toBe('{"a":"FORBIDDEN"');
  });
});
