import { PkError } from '@pk/config';
import { MAX_LOG_METADATA_FILTERS } from '@pk/store';
import { describe, expect, it } from 'vitest';
import { metadataObjectOf, metadataPairsOf, orgModelOf } from './filter-spellings.js';
import { logFilterOf, portkeyQueryOf } from './log-query-params.js';

const refuse = (message: string, param: string) => new PkError('PK_ERR_INVALID_REQUEST', message, { param });

describe('the log filters’ shared spellings', () => {
  it('reads ai_org_model as its provider and model, and refuses one without both', () => {
    expect(orgModelOf('openai__gpt-4o', 'ai_org_model', refuse)).toEqual({
      provider: 'openai',
      model: 'gpt-4o',
    });
    expect(orgModelOf('azure-openai__my__deployment', 'x', refuse)).toEqual({
      provider: 'azure-openai',
      model: 'my__deployment',
    });
    for (const malformed of ['openai', '__gpt-4o', 'openai__'])
      expect(() => orgModelOf(malformed, 'filters.ai_org_model', refuse)).toThrow(
        'filters.ai_org_model is provider__model (openai__gpt-4o)',
      );
  });

  it('reads metadata as text pairs, and refuses nested values, arrays and too many keys', () => {
    expect(metadataPairsOf({ team: 'a', tier: 2, beta: true }, 'metadata', refuse)).toEqual([
      ['team', 'a'],
      ['tier', '2'],
      ['beta', 'true'],
    ]);
    expect(() => metadataPairsOf({ team: { nested: 1 } }, 'metadata', refuse)).toThrow(
      'metadata.team must be text',
    );
    expect(() => metadataPairsOf(['team'], 'metadata', refuse)).toThrow('an object');
    const many = Object.fromEntries(
      Array.from({ length: MAX_LOG_METADATA_FILTERS + 1 }, (_, i) => [`k${i}`, 'v']),
    );
    expect(() => metadataPairsOf(many, 'metadata', refuse)).toThrow(`at most ${MAX_LOG_METADATA_FILTERS}`);
    expect(() => metadataObjectOf('[object Object]', 'metadata', refuse)).toThrow(
      'metadata must be a JSON object',
    );
    expect(() => metadataObjectOf('["a"]', 'metadata', refuse)).toThrow('metadata must be a JSON object');
  });

  it('answers an analytics query’s metadata (its JSON text and metadata.<key> pairs) as one object', () => {
    expect(
      portkeyQueryOf({ metadata: '{"team":"support"}', 'metadata._user': 'ada', model: 'gpt-4o' }),
    ).toEqual({ metadata: { team: 'support', _user: 'ada' }, ai_model: 'gpt-4o' });
    expect(portkeyQueryOf({ metadata: '{"team":"support"}' })).toEqual({ metadata: { team: 'support' } });
    expect(() => portkeyQueryOf({ metadata: '{"team":"a"}', 'metadata.team': 'b' })).toThrow('must agree');
    expect(() => portkeyQueryOf({ metadata: 'team=a' })).toThrow('metadata must be a JSON object');
    expect(portkeyQueryOf({ status: '200' })).toEqual({ status_code: '200' });
  });

  it('names both spellings the client used when two of one filter disagree', () => {
    expect(() => logFilterOf({ status_code: '200', status: '500' }, undefined)).toThrow(
      refuse('status_code and status are the same filter and must agree', 'status'),
    );
    expect(() => logFilterOf({ model: 'a', ai_model: 'b' }, undefined)).toThrow(
      'model and ai_model are the same filter and must agree',
    );
    expect(() => portkeyQueryOf({ status: '500', status_code: '200' })).toThrow(
      refuse('status and status_code are the same filter and must agree', 'status_code'),
    );
    expect(logFilterOf({ status_code: '200', status: '200' }, undefined).status).toBe(200);
  });
});
