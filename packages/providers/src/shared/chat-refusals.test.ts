import { PkError } from '@pk/config';
import { describe, expect, it } from 'vitest';
import { refuseWhatTheTargetCannotTake } from './chat-refusals.js';

/** A user turn with a question and one `file` part (OpenAI's chat content part shape). */
function withFile(file: Record<string, unknown>): Record<string, unknown> {
  return {
    model: 'm',
    messages: [
      { role: 'system', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Summarize the attached contract' },
          { type: 'file', file },
        ],
      },
    ],
  };
}

const PDF = { filename: 'contract.pdf', file_data: 'data:application/pdf;base64,JVBERi0xLjQK' };
const URL_FILE = { file_url: 'https://example.com/contract.pdf' };

function refusalOf(body: Record<string, unknown>, provider: string, model = 'm'): PkError | undefined {
  try {
    refuseWhatTheTargetCannotTake(body, { provider, model });
    return undefined;
  } catch (error) {
    if (error instanceof PkError) return error;
    throw error;
  }
}

describe('refuseWhatTheTargetCannotTake', () => {
  it('refuses a file by URL where the provider fetches none, naming the part and saying to send the bytes', () => {
    for (const [provider, model] of [
      ['openai', 'gpt-4o'],
      ['azure-openai', 'gpt-4o'],
      ['google', 'gemini-2.0-flash'],
      ['vertex-ai', 'gemini-2.0-flash'],
      ['vertex-ai', 'claude-sonnet-4@20250514'],
      ['bedrock', 'anthropic.claude-3-7-sonnet-20250219-v1:0'],
    ] as const) {
      const error = refusalOf(withFile(URL_FILE), provider, model);
      expect(error?.code).toBe('PK_ERR_UNSUPPORTED_FEATURE');
      expect(error?.status).toBe(400);
      expect(error?.param).toBe('messages[1].content[1]');
      expect(error?.message).toBe(
        `a file by URL (file_url) at messages[1].content[1] cannot be sent to provider '${provider}': send the file's bytes as base64 data instead (file_data)`,
      );
    }
  });

  it('lets a file by URL through to Anthropic, which fetches it', () => {
    expect(refusalOf(withFile(URL_FILE), 'anthropic', 'claude-sonnet-4-20250514')).toBeUndefined();
  });

  it('refuses any file part where the provider reads no files', () => {
    for (const provider of ['groq', 'mistral-ai', 'cohere']) {
      expect(refusalOf(withFile(PDF), provider)?.message).toBe(
        `a file content part at messages[1].content[1] cannot be sent to provider '${provider}': ${provider} reads no files`,
      );
    }
  });

  it('lets a PDF through to every provider that reads files', () => {
    for (const [provider, model] of [
      ['openai', 'gpt-4o'],
      ['azure-openai', 'gpt-4o'],
      ['anthropic', 'claude-sonnet-4-20250514'],
      ['google', 'gemini-2.0-flash'],
      ['vertex-ai', 'gemini-2.0-flash'],
      ['vertex-ai', 'claude-sonnet-4@20250514'],
      ['bedrock', 'amazon.nova-pro-v1:0'],
    ] as const)
      expect(refusalOf(withFile(PDF), provider, model)).toBeUndefined();
  });

  it('refuses a media type the translating adapter cannot turn into the provider’s document', () => {
    const csv = { file_data: 'data:text/csv;base64,YSxiCg==' };
    expect(refusalOf(withFile(csv), 'anthropic', 'claude-sonnet-4-20250514')?.message).toBe(
      "a file of type text/csv at messages[1].content[1] cannot be sent to provider 'anthropic': anthropic does not read text/csv files",
    );
    expect(refusalOf(withFile(csv), 'vertex-ai', 'claude-sonnet-4@20250514')?.param).toBe(
      'messages[1].content[1]',
    );
    // Gemini reads text formats and Converse reads CSV documents.
    expect(refusalOf(withFile(csv), 'google', 'gemini-2.0-flash')).toBeUndefined();
    expect(refusalOf(withFile(csv), 'bedrock', 'amazon.nova-pro-v1:0')).toBeUndefined();
    const zip = { file_data: 'data:application/zip;base64,UEsFBg==' };
    for (const provider of ['google', 'bedrock'])
      expect(refusalOf(withFile(zip), provider)?.message).toBe(
        `a file of type application/zip at messages[1].content[1] cannot be sent to provider '${provider}': ${provider} does not read application/zip files`,
      );
    // OpenAI judges the files it is sent itself.
    expect(refusalOf(withFile(zip), 'openai', 'gpt-4o')).toBeUndefined();
  });

  it('refuses a file_id where the provider is not the one that stored it', () => {
    const stored = { file_id: 'file-abc123' };
    expect(refusalOf(withFile(stored), 'google', 'gemini-2.0-flash')?.message).toBe(
      "a file content part at messages[1].content[1] cannot be sent to provider 'google': a file_id names a file uploaded to OpenAI",
    );
    expect(refusalOf(withFile(stored), 'openai', 'gpt-4o')).toBeUndefined();
  });

  it('refuses more stop sequences than the provider takes, with its limit, and lets the limit through', () => {
    const stops = (count: number) => ({
      model: 'm',
      messages: [{ role: 'user', content: 'Count' }],
      stop: Array.from({ length: count }, (_, index) => `${index}`),
    });
    for (const [provider, limit] of [
      ['openai', 4],
      ['azure-openai', 4],
      ['groq', 4],
      ['google', 5],
      ['vertex-ai', 5],
      ['cohere', 5],
    ] as const) {
      const error = refusalOf(stops(limit + 1), provider, 'gemini-2.0-flash');
      expect(error?.param).toBe('stop');
      expect(error?.message).toBe(
        `${limit + 1} stop sequences at stop cannot be sent to provider '${provider}': ${provider} takes at most ${limit}; send at most ${limit}`,
      );
      expect(refusalOf(stops(limit), provider, 'gemini-2.0-flash')).toBeUndefined();
    }
    expect(refusalOf(stops(9), 'anthropic')).toBeUndefined();
    expect(refusalOf({ ...stops(0), stop: 'END' }, 'openai')).toBeUndefined();
  });

  it('leaves a body without files or stop lists, or one it cannot read, to the adapter', () => {
    expect(refusalOf({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }, 'groq')).toBeUndefined();
    expect(refusalOf({ model: 'm', messages: 'not a list' }, 'google')).toBeUndefined();
    expect(refusalOf({ model: 'm' }, 'bedrock')).toBeUndefined();
  });
});
