import { describe, expect, it } from 'vitest';
import { checkCustomHost } from './custom-host.js';

describe('checkCustomHost (behaviour reference §2.5)', () => {
  it.each([
    'https://llm.example.com/v1',
    'http://vllm.example.org:8000/v1',
    'https://8.8.8.8/v1',
    'https://[2001:4860:4860::8888]/v1',
    'http://localhost:11434/v1',
    'http://127.0.0.1:8080',
    'http://[::1]:8080/v1',
    'http://host.docker.internal:11434',
    'http://ollama.localhost:11434',
  ])('accepts %s', (value) => {
    expect(checkCustomHost(value)).toBeUndefined();
  });

  it.each([
    ['file:///etc/passwd', 'http:// or https://'],
    ['gopher://example.com', 'http:// or https://'],
    ['ftp://example.com', 'http:// or https://'],
    ['https://user:pass@example.com', 'credentials'],
    ['https://llm.example.com/v1?token=x', 'query string or fragment'],
    ['https://llm.example.com/v1?', 'query string or fragment'],
    ['https://llm.example.com/v1#x', 'query string or fragment'],
    ['http://localhost:11434/v1?token=x', 'query string or fragment'],
    ['https://example.com@evil.com', 'credentials'],
    ['https://api.portkey.ai/v1', "Portkey's own API"],
    ['https://exa%6dple.com', '"%"'],
    ['https://exämple.com', 'ASCII'],
    ['https://example.com./v1', 'trailing dot'],
    ['https://a.b.c.d.e.f.g.h.i.j.k/v1', '10 labels'],
    ['https://example.com/\u0000', 'control characters'],
    ['https://exa mple.com', 'spaces'],
    ['http://169.254.169.254/latest/meta-data', 'private'],
    ['http://metadata.google.internal/computeMetadata', 'metadata'],
    ['http://metadata.azure.com/metadata', 'metadata'],
    ['http://printer.local', '".local"'],
    ['http://db.internal:5432', '".internal"'],
    ['http://10.0.0.1', 'private'],
    ['http://172.20.1.1', 'private'],
    ['http://192.168.1.10', 'private'],
    ['http://100.64.0.1', 'private'],
    ['http://0.0.0.0', 'private'],
    ['http://224.0.0.1', 'private'],
    ['http://127.0.0.2', 'private'],
    ['http://[fd00::1]', 'unique-local'],
    ['http://[fe80::1]', 'link-local'],
    ['http://[::ffff:10.0.0.1]', 'IPv4-mapped'],
    ['http://[::]', 'loopback'],
    ['http://2130706433', 'dotted-decimal'],
    ['http://0x7f000001', 'dotted-decimal'],
    ['http://0177.0.0.1', 'dotted-decimal'],
    ['http://127.1', 'dotted-decimal'],
    ['http://0x08.8.8.8', 'dotted-decimal'],
  ])('refuses %s', (value, reason) => {
    expect(checkCustomHost(value)).toContain(reason);
  });

  it('lets the operator replace the trusted hosts', () => {
    expect(checkCustomHost('http://10.0.0.5:8000', { trustedHosts: ['10.0.0.5'] })).toBeUndefined();
    expect(checkCustomHost('http://vllm.internal', { trustedHosts: ['*.internal'] })).toBeUndefined();
    expect(checkCustomHost('http://localhost:11434', { trustedHosts: [] })).toContain('".localhost"');
  });
});
