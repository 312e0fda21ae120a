/** A prompt label as `GET /labels` answers it (the fields the console uses). */
export interface Label {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  /** `production`, `staging` and `development`: in every store, never changed or deleted. */
  readonly is_universal: boolean;
}

/** The gateway's rule for a label's name: what follows `@` in a prompt reference. */
const LABEL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** What is wrong with a new label's name in the page (the gateway checks it again on save), or null. */
export function labelNameProblem(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed === '') return null;
  if (!LABEL_NAME.test(trimmed)) return 'name: 1 to 64 letters, digits, _ or -';
  if (trimmed === 'latest' || trimmed === 'default' || /^[0-9]+$/.test(trimmed)) {
    return `name: ${trimmed} names a version in slug@${trimmed}: choose another`;
  }
  return null;
}

/** The names of the labels pointing at a version (`labels` of `GET /prompts/:slug/versions`). */
export function versionLabels(version: Readonly<Record<string, unknown>>): string[] {
  const { labels } = version;
  return Array.isArray(labels) ? labels.filter((name): name is string => typeof name === 'string') : [];
}

/** The labels a version can be given: those not pointing at it already, in the list's order. */
export function labelsToOffer(labels: readonly Label[], pointing: readonly string[]): Label[] {
  const already = new Set(pointing);
  return labels.filter((label) => !already.has(label.name));
}
