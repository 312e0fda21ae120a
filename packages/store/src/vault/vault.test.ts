import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { masterKeyId, Vault, VaultError } from './vault.js';

const keyA = randomBytes(32);
const keyB = randomBytes(32);

describe('Vault (AES-256-GCM, key ring, associated data)', () => {
  it('round-trips a secret for the same record', () => {
    const vault = new Vault([keyA]);
    const value = vault.encrypt('sk-live-1234567890abcdef', 'virtual_keys:1');
    expect(vault.decrypt(value, 'virtual_keys:1')).toBe('sk-live-1234567890abcdef');
    expect(Vault.keyIdOf(value)).toBe(masterKeyId(keyA));
  });

  it('never produces the same ciphertext twice (random IV)', () => {
    const vault = new Vault([keyA]);
    expect(vault.encrypt('same', 'r')).not.toEqual(vault.encrypt('same', 'r'));
  });

  it('fails with a wrong master key, naming the key id and never the key', () => {
    const value = new Vault([keyA]).encrypt('sk-secret-value-123456', 'virtual_keys:1');
    const wrong = new Vault([keyB]);
    expect(() => wrong.decrypt(value, 'virtual_keys:1')).toThrow(VaultError);
    try {
      wrong.decrypt(value, 'virtual_keys:1');
    } catch (error) {
      expect((error as VaultError).keyId).toBe(masterKeyId(keyA));
      expect((error as Error).message).not.toContain(keyA.toString('base64'));
    }
  });

  it('fails when a ciphertext is moved to another record (associated data)', () => {
    const vault = new Vault([keyA]);
    const value = vault.encrypt('sk-secret', 'virtual_keys:1');
    expect(() => vault.decrypt(value, 'virtual_keys:2')).toThrow(/another record/);
  });

  it('fails when a ciphertext was altered', () => {
    const vault = new Vault([keyA]);
    const value = vault.encrypt('sk-secret', 'virtual_keys:1');
    value[value.length - 1] = (value[value.length - 1] ?? 0) ^ 1;
    expect(() => vault.decrypt(value, 'virtual_keys:1')).toThrow(VaultError);
  });

  it('encrypts with the newest key and decrypts with every key of the ring', () => {
    const old = new Vault([keyA]).encrypt('old secret', 'r');
    const ring = new Vault([keyB, keyA]);
    expect(ring.newestKeyId).toBe(masterKeyId(keyB));
    expect(ring.decrypt(old, 'r')).toBe('old secret');
    expect(Vault.keyIdOf(ring.encrypt('new secret', 'r'))).toBe(masterKeyId(keyB));
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => new Vault([randomBytes(16)])).toThrow(/32 bytes/);
    expect(() => new Vault([])).toThrow(/at least one/);
  });
});
