import { crc32 } from 'node:zlib';

/**
 * One binary `application/vnd.amazon.eventstream` frame, as Bedrock streams them: prelude (total
 * length, headers length, CRC32 of both), string headers (`:message-type`, `:event-type` or
 * `:exception-type`, `:content-type`), the JSON payload, CRC32 of everything before.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/RESTSelectObjectAppendix.html
 */
export function eventStreamFrame(type: string, payload: unknown): Uint8Array {
  const exception = type.endsWith('Exception');
  return encodedFrame(
    [
      [':message-type', exception ? 'exception' : 'event'],
      [exception ? ':exception-type' : ':event-type', type],
      [':content-type', 'application/json'],
    ],
    Buffer.from(JSON.stringify(payload)),
  );
}

/**
 * An `error` frame: an error the service did not model, its code and message in the `:error-code`
 * and `:error-message` headers, the body empty.
 * @see https://pkg.go.dev/github.com/aws/smithy-go/eventstream (the header names)
 */
export function eventStreamErrorFrame(code: string, message: string): Uint8Array {
  return encodedFrame(
    [
      [':message-type', 'error'],
      [':error-code', code],
      [':error-message', message],
    ],
    Buffer.alloc(0),
  );
}

function encodedFrame(headers: readonly [string, string][], body: Buffer): Uint8Array {
  const headerBytes = Buffer.concat(
    headers.map(([name, value]) => {
      const nameBytes = Buffer.from(name);
      const valueBytes = Buffer.from(value);
      const length = Buffer.alloc(2);
      length.writeUInt16BE(valueBytes.length);
      return Buffer.concat([
        Buffer.from([nameBytes.length]),
        nameBytes,
        Buffer.from([7]),
        length,
        valueBytes,
      ]);
    }),
  );
  const total = 12 + headerBytes.length + body.length + 4;
  const prelude = Buffer.alloc(8);
  prelude.writeUInt32BE(total, 0);
  prelude.writeUInt32BE(headerBytes.length, 4);
  const preludeCrc = Buffer.alloc(4);
  preludeCrc.writeUInt32BE(crc32(prelude));
  const message = Buffer.concat([prelude, preludeCrc, headerBytes, body]);
  const messageCrc = Buffer.alloc(4);
  messageCrc.writeUInt32BE(crc32(message));
  return new Uint8Array(Buffer.concat([message, messageCrc]));
}
