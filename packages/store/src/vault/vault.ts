import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const FORMAT_VERSION = 1;
const KEY_ID_BYTES = 8;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + KEY_ID_BYTES + IV_BYTES + TAG_BYTES;

/** A master key's public name: the first 8 bytes of its SHA-256, hex. Says which key encrypted a value. */
export function masterKeyId(key: Uint8Array): string {
  return createHash('sha256').update(key).digest().subarray(0, KEY_ID_BYTES).toString('hex');
}

/** Decryption failed: the key is not in the ring, the value was altered, or it belongs to another record. */
export class VaultError extends Error {
  /** The master key id the value names (never the key itself). */
  readonly keyId: string | undefined;

  constructor(message: string, keyId?: string) {
    super(message);
    this.name = 'VaultError';
    this.keyId = keyId;
  }
}

/**
 * AES-256-GCM under a ring of 32-byte master keys, newest first: the newest encrypts, every key
 * decrypts, so replicas can roll a new key in before the old one is retired. A value is
 * `version (1) | key id (8) | IV (12) | tag (16) | ciphertext`, and is bound to its record through
 * the associated data (`virtual_keys:<id>`): copied onto another record, it does not decrypt.
 */
export class Vault {
  readonly #keys: ReadonlyMap<string, Buffer>;
  /** Id of the key that encrypts. */
  readonly newestKeyId: string;

  constructor(keys: readonly Uint8Array[]) {
    const first = keys[0];
    if (first === undefined) throw new Error('a vault needs at least one master key');
    const ring = new Map<string, Buffer>();
    for (const key of keys) {
      if (key.byteLength !== 32) throw new Error('a master key must be 32 bytes');
      ring.set(masterKeyId(key), Buffer.from(key));
    }
    this.#keys = ring;
    this.newestKeyId = masterKeyId(first);
  }

  /** Ids of every key in the ring, newest first. */
  get keyIds(): readonly string[] {
    return [...this.#keys.keys()];
  }

  /** True when the ring holds the key with this id. */
  hasKey(keyId: string): boolean {
    return this.#keys.has(keyId);
  }

  /** Encrypts `plaintext` under the newest key, bound to `associatedData`. */
  encrypt(plaintext: string, associatedData: string): Buffer {
    const key = this.#keys.get(this.newestKeyId) as Buffer;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([
      Buffer.from([FORMAT_VERSION]),
      Buffer.from(this.newestKeyId, 'hex'),
      iv,
      cipher.getAuthTag(),
      ciphertext,
    ]);
  }

  /** The id of the key that encrypted `value`, or undefined for a value that is not a vault envelope. */
  static keyIdOf(value: Uint8Array): string | undefined {
    if (value.byteLength < HEADER_BYTES || value[0] !== FORMAT_VERSION) return undefined;
    return Buffer.from(value.subarray(1, 1 + KEY_ID_BYTES)).toString('hex');
  }

  /** Decrypts a value made by {@link encrypt} for the same associated data. Throws {@link VaultError}. */
  decrypt(value: Uint8Array, associatedData: string): string {
    const keyId = Vault.keyIdOf(value);
    if (keyId === undefined) throw new VaultError('not a vault value (unknown format)');
    const key = this.#keys.get(keyId);
    if (!key) throw new VaultError(`encrypted with master key ${keyId}, which is not in the key ring`, keyId);
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    const iv = bytes.subarray(1 + KEY_ID_BYTES, 1 + KEY_ID_BYTES + IV_BYTES);
    const tag = bytes.subarray(1 + KEY_ID_BYTES + IV_BYTES, HEADER_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES)), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new VaultError(
        `cannot decrypt a value encrypted with master key ${keyId}: it was altered or belongs to another record`,
        keyId,
      );
    }
  }
}
