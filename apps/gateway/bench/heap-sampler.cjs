// Preloaded by allocations.mjs (`node -r`): the first SIGUSR2 starts V8's sampling heap profiler,
// counting objects a scavenge or a full collection has already freed too (every allocation, not only
// what survives); the next stops it and writes the profile to PK_HEAP_SAMPLE_FILE, and so on.
const { Session } = require('node:inspector');
const { renameSync, writeFileSync } = require('node:fs');
const { isMainThread } = require('node:worker_threads');

if (isMainThread) {
  const session = new Session();
  session.connect();
  let sampling = false;
  process.on('SIGUSR2', () => {
    if (!sampling) {
      sampling = true;
      session.post('HeapProfiler.startSampling', {
        samplingInterval: Number(process.env.PK_HEAP_SAMPLE_INTERVAL ?? 256),
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
      return;
    }
    sampling = false;
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error) process.stderr.write(`heap sampling failed: ${error.message}\n`);
      else {
        // Written aside and renamed: a reader never sees half a file.
        const file = process.env.PK_HEAP_SAMPLE_FILE;
        writeFileSync(`${file}.partial`, JSON.stringify(result.profile));
        renameSync(`${file}.partial`, file);
      }
      process.stderr.write('heap sample written\n');
    });
  });
}
