// Preloaded with NODE_OPTIONS=--require by the metrics and tracing feature tests: on SIGUSR2 the
// process writes to stderr, as one line, every loaded module file whose path names `@opentelemetry`
// or `prom-client`. Those packages are CommonJS, so they are in require.cache whether required or
// imported from ESM (the tests' positive controls prove the spy sees them).
process.on('SIGUSR2', () => {
  const loaded = Object.keys(require.cache).filter(
    (file) => file.includes('@opentelemetry') || file.includes('prom-client'),
  );
  process.stderr.write(`pk-module-spy ${JSON.stringify(loaded)}\n`);
});
