import { describe, expect, it } from 'vitest';
import { camelToSnake, closestKey } from './key-spelling.js';

describe('camelToSnake', () => {
  it.each([
    ['apiKey', 'api_key'],
    ['strictOpenAiCompliance', 'strict_open_ai_compliance'],
    ['awsS3ObjectKey', 'aws_s3_object_key'],
    ['awsServerSideEncryptionKMSKeyId', 'aws_server_side_encryption_kms_key_id'],
    ['vertexServiceAccountJson', 'vertex_service_account_json'],
    ['api_key', 'api_key'],
    ['mode', 'mode'],
  ])('%s → %s', (camel, snake) => {
    expect(camelToSnake(camel)).toBe(snake);
  });
});

describe('closestKey', () => {
  it('suggests a key at most 2 edits away', () => {
    expect(closestKey('overide_params', ['override_params', 'retry'])).toBe('override_params');
    expect(closestKey('retyr', ['override_params', 'retry'])).toBe('retry');
    expect(closestKey('completely_else', ['override_params', 'retry'])).toBeUndefined();
  });
});
