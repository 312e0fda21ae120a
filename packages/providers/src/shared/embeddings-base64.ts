import { isJsonObject } from './json.js';

/** Little-endian float32 bytes of `values`, base64-encoded: what OpenAI returns for `encoding_format: "base64"`. */
export function encodeEmbeddingBase64(values: readonly number[]): string {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((value, index) => {
    bytes.writeFloatLE(value, index * 4);
  });
  return bytes.toString('base64');
}

/** Decodes {@link encodeEmbeddingBase64} (tests and clients). */
export function decodeEmbeddingBase64(encoded: string): number[] {
  const bytes = Buffer.from(encoded, 'base64');
  const values: number[] = [];
  for (let offset = 0; offset + 4 <= bytes.length; offset += 4) values.push(bytes.readFloatLE(offset));
  return values;
}

/**
 * Rewrites every `data[].embedding` float array of an OpenAI embeddings answer as base64: the one
 * place this happens, whatever the provider.
 */
export function encodeEmbeddingsAnswerAsBase64(answer: unknown): unknown {
  if (!isJsonObject(answer) || !Array.isArray(answer.data)) return answer;
  return {
    ...answer,
    data: answer.data.map((item: unknown) =>
      isJsonObject(item) && Array.isArray(item.embedding)
        ? {
            ...item,
            embedding: encodeEmbeddingBase64(
              item.embedding.filter((v): v is number => typeof v === 'number'),
            ),
          }
        : item,
    ),
  };
}
