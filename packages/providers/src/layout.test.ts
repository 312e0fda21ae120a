import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** Provider folders and the name their exports carry. */
const FOLDERS = [
  ['openai', 'OpenAI'],
  ['openai-compatible', 'OpenAICompatible'],
  ['azure-openai', 'AzureOpenAI'],
  ['anthropic', 'Anthropic'],
  ['cohere', 'Cohere'],
  ['google', 'Google'],
  ['bedrock', 'Bedrock'],
  ['vertex-ai', 'VertexAI'],
] as const;

const ROLES = {
  request: (name: string) => `to${name}Request`,
  response: (name: string) => `from${name}Response`,
  stream: (name: string) => `create${name}StreamTransformer`,
  errors: (name: string) => `to${name}UpstreamError`,
} as const;

const squash = (value: string) => value.toLowerCase().replaceAll(/[-_]/g, '');

describe.each(FOLDERS)('provider folder %s', (folder, name) => {
  it.each(Object.entries(ROLES))('%s.ts exports %s-named symbols only', async (role, expected) => {
    const module = (await import(
      /* @vite-ignore */ new URL(`./${folder}/${role}.ts`, import.meta.url).href
    )) as Record<string, unknown>;
    expect(typeof module[expected(name)]).toBe('function');
    for (const exported of Object.keys(module)) expect(squash(exported)).toContain(squash(name));
  });

  it('api.ts holds zod schemas named after the provider', async () => {
    const module = (await import(
      /* @vite-ignore */ new URL(`./${folder}/api.ts`, import.meta.url).href
    )) as Record<string, unknown>;
    const names = Object.keys(module);
    expect(names.length).toBeGreaterThan(0);
    for (const exported of names)
      expect(exported.startsWith(name[0]?.toLowerCase() + name.slice(1))).toBe(true);
  });

  it('has fixtures with their sources', () => {
    expect(existsSync(new URL(`./${folder}/__fixtures__/sources.md`, import.meta.url))).toBe(true);
  });
});
