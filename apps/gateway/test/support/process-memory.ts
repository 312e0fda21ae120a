import { readFileSync } from 'node:fs';

/**
 * A process's resident memory (`VmRSS` of `/proc/<pid>/status`) in MiB: Linux only; `undefined`
 * where there is no such file (another system, or the process has ended).
 */
export function residentMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('VmRSS:'));
    const kib = Number(/(\d+)/.exec(line ?? '')?.[1]);
    return Number.isFinite(kib) ? kib / 1024 : undefined;
  } catch {
    return undefined;
  }
}
