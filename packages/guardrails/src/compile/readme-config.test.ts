import { readFileSync } from 'node:fs';
import { parseConfig } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { compileOperatorGuardrails, HookCompiler } from './hook-compiler.js';

// The README's "Declaring hooks" config is what a user copies into x-portkey-config or a saved
// config: it must be one the gateway takes (parsed, and its hooks valid with the operator's
// `pii-shield` it names defined as the README's settings example defines it).
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const configBlocks = [...readme.matchAll(/^```jsonc?\n([\s\S]*?)^```$/gm)]
  .map((match) => match[1] ?? '')
  .filter((block) => block.includes('"before_request_hooks"'));

describe('the README’s hook declaration example', () => {
  it('is there to check', () => {
    expect(configBlocks).toHaveLength(1);
  });

  it('is a config the gateway accepts, hooks included', () => {
    const parsed = parseConfig(JSON.parse(configBlocks[0] ?? '{}'));
    expect(parsed.ok ? [] : parsed.issues.map((issue) => issue.message)).toEqual([]);
    if (!parsed.ok) return;
    const operator = compileOperatorGuardrails({
      'pii-shield': { type: 'mutator', checks: [{ id: 'pk.pii', parameters: { redact: true } }] },
    });
    expect(operator.ok).toBe(true);
    if (!operator.ok) return;
    expect(new HookCompiler(operator.guardrails).validateConfig(parsed.config)).toEqual([]);
  });
});
