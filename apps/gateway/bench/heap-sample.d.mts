/** A node of V8's sampling heap profile. */
export interface HeapSampleNode {
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly HeapSampleNode[];
}

/** V8's sampling heap profile (`HeapProfiler.stopSampling`). */
export interface HeapSample {
  readonly head: HeapSampleNode;
}

/** The sampling heap profile written to `file`, waited for up to `timeoutMs` (default 10 s). */
export function waitForHeapSample(file: string, timeoutMs?: number): Promise<HeapSample>;

/** A profile's bytes: in all, by the allocating function, and by pk's innermost function on the stack. */
export function allocationsOf(profile: HeapSample): {
  total: number;
  bySelf: Map<string, number>;
  byPkFunction: Map<string, number>;
};

/** The `rows` largest entries of `map`, one line each, as bytes per request. */
export function largestPerRequest(map: Map<string, number>, requests: number, rows: number): string;
