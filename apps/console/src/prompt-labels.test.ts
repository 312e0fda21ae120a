import { describe, expect, it } from 'vitest';
import { type Label, labelNameProblem, labelsToOffer, versionLabels } from './prompt-labels.js';

describe('labelNameProblem', () => {
  it('accepts letters, digits, _ and - (and an empty field, which the form requires)', () => {
    for (const name of ['canary', 'beta_2', 'eu-west', 'Latest', 'v1', ''])
      expect(labelNameProblem(name)).toBeNull();
  });

  it('refuses other characters, a name over 64 characters, and names that read as a version', () => {
    expect(labelNameProblem('with space')).toBe('name: 1 to 64 letters, digits, _ or -');
    expect(labelNameProblem('a@b')).toBe('name: 1 to 64 letters, digits, _ or -');
    expect(labelNameProblem('x'.repeat(65))).toBe('name: 1 to 64 letters, digits, _ or -');
    expect(labelNameProblem('latest')).toBe('name: latest names a version in slug@latest: choose another');
    expect(labelNameProblem('default')).toMatch(/names a version/);
    expect(labelNameProblem('12')).toMatch(/names a version/);
  });
});

describe('versionLabels', () => {
  it('reads the names of a version’s labels, and nothing from a version without them', () => {
    expect(versionLabels({ labels: ['staging', 'canary'] })).toEqual(['staging', 'canary']);
    expect(versionLabels({ labels: ['staging', 7, null] })).toEqual(['staging']);
    expect(versionLabels({})).toEqual([]);
    expect(versionLabels({ labels: 'staging' })).toEqual([]);
  });
});

describe('labelsToOffer', () => {
  const label = (name: string): Label => ({ id: `id-${name}`, name, description: null, is_universal: false });
  it('offers the labels not pointing at the version already, in order', () => {
    const labels = [label('canary'), label('production'), label('staging')];
    expect(labelsToOffer(labels, ['staging']).map((each) => each.name)).toEqual(['canary', 'production']);
    expect(labelsToOffer(labels, [])).toEqual(labels);
    expect(labelsToOffer(labels, ['canary', 'production', 'staging'])).toEqual([]);
  });
});
