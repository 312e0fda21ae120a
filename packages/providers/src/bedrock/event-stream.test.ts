import { describe, expect, it } from 'vitest';
import { bedrockFramesFromChunks } from '../test-support/bedrock-frames.js';
import { readChunkFixture } from '../test-support/fixtures.js';
import { runAdapterStream } from '../test-support/run-stream.js';
import { createBedrockEventStreamDecoder } from './event-stream.js';
import { bedrockAdapter } from './index.js';

/** CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), written here so the frame does not trust the codec. */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** One event-stream frame built byte by byte: prelude, prelude CRC, string headers, payload, message CRC. */
function handBuiltFrame(headers: Record<string, string>, payload: string): Uint8Array {
  const encoder = new TextEncoder();
  const headerBytes: number[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const nameBytes = encoder.encode(name);
    const valueBytes = encoder.encode(value);
    headerBytes.push(
      nameBytes.length,
      ...nameBytes,
      7,
      valueBytes.length >> 8,
      valueBytes.length & 0xff,
      ...valueBytes,
    );
  }
  const body = encoder.encode(payload);
  const total = 12 + headerBytes.length + body.length + 4;
  const frame = new Uint8Array(total);
  const view = new DataView(frame.buffer);
  view.setUint32(0, total);
  view.setUint32(4, headerBytes.length);
  view.setUint32(8, crc32(frame.subarray(0, 8)));
  frame.set(headerBytes, 12);
  frame.set(body, 12 + headerBytes.length);
  view.setUint32(total - 4, crc32(frame.subarray(0, total - 4)));
  return frame;
}

async function decodeAll(chunks: Uint8Array[]) {
  const decoder = createBedrockEventStreamDecoder();
  const events = chunks.flatMap((chunk) => decoder.push(chunk));
  events.push(...decoder.end());
  return events;
}

describe('createBedrockEventStreamDecoder', () => {
  const frame = handBuiltFrame(
    { ':event-type': 'contentBlockDelta', ':content-type': 'application/json', ':message-type': 'event' },
    '{"contentBlockIndex":0,"delta":{"text":"Hi"},"p":"abcdefghijk"}',
  );

  it('decodes a hand-built frame split across reads, and exceptions by their type', async () => {
    const [exception] = bedrockFramesFromChunks(['{"validationException":{"message":"bad"}}']);
    const events = await decodeAll([
      frame.subarray(0, 5),
      frame.subarray(5, 30),
      frame.subarray(30),
      exception!,
    ]);
    expect(events).toEqual([
      {
        event: 'contentBlockDelta',
        data: '{"contentBlockIndex":0,"delta":{"text":"Hi"},"p":"abcdefghijk"}',
        id: undefined,
      },
      { event: 'validationException', data: '{"message":"bad"}', id: undefined },
    ]);
  });

  it('decodes an error frame from its :error-code and :error-message headers, and the client stream ends with that message', async () => {
    const error = handBuiltFrame(
      {
        ':message-type': 'error',
        ':error-code': 'InternalFailure',
        ':error-message': 'An internal error occurred.',
      },
      '',
    );
    expect(await decodeAll([error])).toEqual([
      {
        event: 'error',
        data: '{"message":"An internal error occurred.","code":"InternalFailure"}',
        id: undefined,
      },
    ]);
    const frames = bedrockFramesFromChunks(readChunkFixture('bedrock', 'text.chunks.txt').slice(0, 2));
    const { collected } = await runAdapterStream({ adapter: bedrockAdapter, frames: [...frames, error] });
    expect(collected.content).toBe('Hello');
    expect(collected.error).toMatchObject({
      message: 'An internal error occurred.',
      type: 'InternalFailure',
    });
  });

  it('refuses a frame whose CRC does not match, and the client stream ends with PK_ERR_STREAM_INTERRUPTED', async () => {
    const corrupt = frame.slice();
    corrupt.set([(corrupt.at(-10) ?? 0) ^ 0xff], corrupt.length - 10);
    await expect(decodeAll([corrupt])).rejects.toThrow();
    const lines = readChunkFixture('bedrock', 'text.chunks.txt');
    const frames = bedrockFramesFromChunks(lines);
    const { collected } = await runAdapterStream({ adapter: bedrockAdapter, frames: [frames[0]!, corrupt] });
    expect(collected.error).toMatchObject({ code: 'PK_ERR_STREAM_INTERRUPTED' });
  });
});
