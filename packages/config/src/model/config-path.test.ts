import { describe, expect, it } from 'vitest';
import { PROVIDER_OPTION_KEYS } from '../schema/provider-options.js';
import { describeValue, issueMessage } from './config-path.js';

describe('describeValue', () => {
  it('shows short strings, numbers and booleans; names the kind of anything else', () => {
    expect(describeValue('fallbak')).toBe('"fallbak"');
    expect(describeValue(9)).toBe('9');
    expect(describeValue([1, 2])).toBe('an array of 2');
    expect(describeValue({})).toBe('an object');
    expect(describeValue(undefined)).toBe('nothing');
  });

  it('leaves out the user and password of a URL', () => {
    expect(describeValue('http://user:sk-secret@example.com/v1')).toBe('"http://…@example.com/v1"');
    expect(describeValue('https://sk-secret@example.com')).toBe('"https://…@example.com"');
  });
});

/**
 * Every provider option that holds a credential, and the options whose names look like one but hold
 * none: a new option whose name looks like a credential must be sorted into one of them.
 */
const CREDENTIAL_OPTIONS = [
  'api_key',
  'azure_ad_token',
  'azure_entra_client_secret',
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
  'oracle_private_key',
  'oracle_key_passphrase',
  'vertex_service_account_json',
];
const NOT_CREDENTIALS = ['aws_s3_object_key', 'aws_server_side_encryption_kms_key_id'];

describe('issueMessage', () => {
  it('describes, never shows, a string given for any credential option (the store’s list of them included)', () => {
    const looksLikeCredential = /key|secret|token|password|passphrase|credential|service_account/i;
    for (const name of PROVIDER_OPTION_KEYS.filter((key) => looksLikeCredential.test(key))) {
      if (!NOT_CREDENTIALS.includes(name)) {
        expect(CREDENTIAL_OPTIONS).toContain(name);
      }
    }
    const secret = '-----BEGIN PRIVATE KEY-----\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASC';
    for (const name of CREDENTIAL_OPTIONS) {
      for (const path of [`config.${name}`, `config.targets[2].${name}`]) {
        const message = issueMessage(path, 'expected something else', secret);
        expect(message, path).toBe(
          `${path}: expected something else, got a string of ${secret.length} characters`,
        );
      }
    }
  });

  it('never shows a string given for a credential', () => {
    const secret = 'sk-live-0123456789abcdef';
    for (const path of [
      'config.api_key',
      'config.targets[0].apiKey',
      'config.aws_secret_access_key',
      'config.azure_ad_token',
      'config.targets[1]["api_key"]',
      'config.vertex_service_account_json',
      'config.targets[0].vertexServiceAccountJson',
      'config.oracle_key_passphrase',
    ]) {
      const message = issueMessage(path, 'expected a non-empty API key', secret);
      expect(message).not.toContain(secret);
      expect(message).toBe(
        `${path}: expected a non-empty API key, got a string of ${secret.length} characters`,
      );
    }
  });

  it('shows what was given anywhere else', () => {
    expect(issueMessage('config.strategy.mode', 'expected one of …', 'fallbak')).toBe(
      'config.strategy.mode: expected one of …, got "fallbak"',
    );
    expect(issueMessage('config.virtual_key', 'expected a non-empty virtual key id', 4)).toBe(
      'config.virtual_key: expected a non-empty virtual key id, got 4',
    );
  });
});
