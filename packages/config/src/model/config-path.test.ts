import { describe, expect, it } from 'vitest';
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

describe('issueMessage', () => {
  it('never shows a string given for a credential', () => {
    const secret = 'sk-live-0123456789abcdef';
    for (const path of [
      'config.api_key',
      'config.targets[0].apiKey',
      'config.aws_secret_access_key',
      'config.azure_ad_token',
      'config.targets[1]["api_key"]',
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
