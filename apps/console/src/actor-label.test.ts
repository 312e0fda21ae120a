import { describe, expect, it } from 'vitest';
import { actorLabel } from './actor-label.js';

describe('who did it, in the "By" column', () => {
  it('names a gateway key by its name, with its id kept for a closer look', () => {
    expect(actorLabel('key:0f5c', { id: '0f5c', name: 'deploy bot', status: 'active' })).toEqual({
      label: 'deploy bot',
      title: 'gateway key 0f5c',
    });
  });

  it('says when the key was revoked or deleted since, and names a deleted one it can’t name by its id', () => {
    expect(actorLabel('key:0f5c', { id: '0f5c', name: 'old', status: 'revoked' }).label).toBe(
      'old (revoked)',
    );
    expect(actorLabel('key:0f5c', { id: '0f5c', name: 'old', status: 'deleted' }).label).toBe(
      'old (deleted)',
    );
    expect(actorLabel('key:0f5c', { id: '0f5c', name: null, status: 'deleted' }).label).toBe(
      'deleted key 0f5c',
    );
  });

  it('shows any other actor as recorded', () => {
    expect(actorLabel('cli', null)).toEqual({ label: 'cli' });
    expect(actorLabel(null, undefined)).toEqual({ label: '' });
  });
});
