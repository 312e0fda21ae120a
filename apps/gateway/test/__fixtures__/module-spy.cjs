// Preloaded with NODE_OPTIONS=--require by the tracing feature test: on SIGUSR2 the process writes to
// stderr, as one line, every loaded module file whose path names `@opentelemetry`. The OpenTelemetry
// packages pk uses are CommonJS, so they are in require.cache whether required or imported from ESM
// (the test's positive control, with OTEL_EXPORTER_OTLP_ENDPOINT set, proves the spy sees them).
process.on('SIGUSR2', () => {
  const loaded = Object.keys(require.cache).filter((file) => file.includes('@opentelemetry'));
  process.stderr.write(`pk-module-spy ${JSON.stringify(loaded)}\n`);
});
