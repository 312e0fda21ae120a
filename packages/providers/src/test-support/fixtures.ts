import { readFileSync } from 'node:fs';

const SOURCE_ROOT = new URL('../', import.meta.url);

/** Reads `src/<folder>/__fixtures__/<name>` as text. */
export function readFixtureText(folder: string, name: string): string {
  return readFileSync(new URL(`${folder}/__fixtures__/${name}`, SOURCE_ROOT), 'utf8');
}

/** Reads a JSON fixture. */
export function readJsonFixture(folder: string, name: string): Record<string, unknown> {
  return JSON.parse(readFixtureText(folder, name)) as Record<string, unknown>;
}

/** Reads a `.chunks.txt` fixture: one SSE `data:` payload per line. */
export function readChunkFixture(folder: string, name: string): string[] {
  return readFixtureText(folder, name)
    .split('\n')
    .filter((line) => line.trim() !== '');
}

/** The wire format a mock upstream speaks. */
export type WireFormat = 'openai' | 'anthropic' | 'cohere' | 'google' | 'bedrock';

/**
 * SSE frames for chunk lines: `data: …` for the OpenAI family, `data: …\r\n\r\n` for Gemini
 * (`alt=sse`), `event: <type>` + `data: …` for Anthropic and Cohere (the event name is the payload's
 * `type`). Bedrock's binary frames come from `bedrockFramesFromChunks`.
 */
export function sseFramesFromChunks(lines: readonly string[], format: WireFormat): string[] {
  return lines.map((line) => {
    if (format === 'openai') return `data: ${line}\n\n`;
    if (format === 'google') return `data: ${line}\r\n\r\n`;
    const type = (JSON.parse(line) as { type?: string }).type ?? 'message';
    return `event: ${type}\ndata: ${line}\n\n`;
  });
}
