import { describe, expect, it } from 'vitest';
import { createExportFailureWarning, exportFailureReason } from './export-failures.js';

describe('failed span exports', () => {
  it('are explained by the HTTP status or the network error, never the collector’s answer body', () => {
    // As @opentelemetry/otlp-exporter-base's OTLPExporterError: status text, status code, body.
    const refused = Object.assign(new Error('Unauthorized'), {
      code: 401,
      data: '{"message":"token otlp-secret is not accepted"}',
    });
    expect(exportFailureReason(refused)).toBe('HTTP 401 Unauthorized');
    expect(exportFailureReason(new Error('connect ECONNREFUSED 127.0.0.1:4318'))).toBe(
      'connect ECONNREFUSED 127.0.0.1:4318',
    );
    expect(exportFailureReason(new Error('x'.repeat(500)))).toHaveLength(200);
    expect(exportFailureReason(undefined)).toBe('unknown error');
  });

  it('are said at once, then at most once a minute with the spans dropped meanwhile', () => {
    const lines: string[] = [];
    let time = 0;
    const failed = createExportFailureWarning(
      (line) => lines.push(line),
      () => time,
    );
    failed(2, 'HTTP 401 Unauthorized');
    time = 30_000;
    failed(4, 'HTTP 401 Unauthorized');
    failed(6, 'HTTP 401 Unauthorized');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('2 span(s)');
    time = 61_000;
    failed(1, 'connect ECONNREFUSED 127.0.0.1:4318');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('11 span(s)');
    expect(lines[1]).toContain('ECONNREFUSED');
  });
});
