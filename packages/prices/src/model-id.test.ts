import { describe, expect, it } from 'vitest';
import { modelIdCandidates, normaliseModelId } from './model-id.js';

const ids = (model: string) => modelIdCandidates(normaliseModelId(model)).map((candidate) => candidate.id);

describe('model id normalisation', () => {
  it('trims and lower-cases', () => {
    expect(normaliseModelId('  GPT-4o ')).toBe('gpt-4o');
  });

  it('tries the id as given first, then without a dated snapshot suffix', () => {
    expect(ids('gpt-4o-2024-08-06')).toEqual(['gpt-4o-2024-08-06', 'gpt-4o']);
    expect(ids('claude-3-5-sonnet-20241022')).toEqual([
      'claude-3-5-sonnet-20241022',
      'claude-3-5-sonnet-2024-10-22',
      'claude-3-5-sonnet',
    ]);
    expect(ids('claude-3-5-sonnet-v2@20241022')).toEqual([
      'claude-3-5-sonnet-v2@20241022',
      'claude-3-5-sonnet-v2',
    ]);
  });

  it('dashes a compact date as the source does, only when it is a real date', () => {
    expect(ids('claude-sonnet-4-20250514')).toContain('claude-sonnet-4-2025-05-14');
    expect(ids('model-20251341')).not.toContain('model-2025-13-41');
  });

  it('then tries the part after the last slash (a provider or publisher prefix, an ARN)', () => {
    expect(ids('openai/gpt-4o-2024-08-06')).toEqual([
      'openai/gpt-4o-2024-08-06',
      'openai/gpt-4o',
      'gpt-4o-2024-08-06',
      'gpt-4o',
    ]);
    expect(ids('publishers/google/models/gemini-2.5-pro')).toEqual([
      'publishers/google/models/gemini-2.5-pro',
      'gemini-2.5-pro',
    ]);
  });

  it('marks which spellings the source itself would try', () => {
    expect(modelIdCandidates('gpt-4o-2024-08-06')).toEqual([
      { id: 'gpt-4o-2024-08-06', asSourceSpellsIt: true },
      { id: 'gpt-4o', asSourceSpellsIt: false },
    ]);
  });

  it('yields nothing for an empty id', () => {
    expect(ids('   ')).toEqual([]);
    expect(ids('/')).toEqual(['/']);
  });
});
