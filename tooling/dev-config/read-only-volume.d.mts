/** A read-only tmpfs mounted on a new temporary folder for a test file (see read-only-volume.mjs). */
export function readOnlyVolume(prefix: string): { path: string; mounted: boolean };
