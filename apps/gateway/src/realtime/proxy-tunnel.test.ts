import { describe, expect, it } from 'vitest';
import { proxyName, proxyUrlFor, realtimeProxyOf } from './proxy-tunnel.js';

describe('the Realtime socket’s proxy', () => {
  it('reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY as the HTTP transport does (upper case first)', () => {
    expect(realtimeProxyOf({})).toBeUndefined();
    expect(realtimeProxyOf({ https_proxy: 'http://p:1', NO_PROXY: 'a' })).toEqual({
      httpsProxy: 'http://p:1',
      httpProxy: undefined,
      noProxy: 'a',
    });
    expect(realtimeProxyOf({ HTTPS_PROXY: 'http://up:1', https_proxy: 'http://low:1' })?.httpsProxy).toBe(
      'http://up:1',
    );
    // An empty variable is unset: it does not hide the lower-case one.
    expect(realtimeProxyOf({ HTTPS_PROXY: '', https_proxy: 'http://low:1' })?.httpsProxy).toBe(
      'http://low:1',
    );
    expect(realtimeProxyOf({ HTTPS_PROXY: '', HTTP_PROXY: '' })).toBeUndefined();
  });

  it('sends wss:// through HTTPS_PROXY (else HTTP_PROXY) and ws:// through HTTP_PROXY only', () => {
    const both = { httpsProxy: 'http://s.proxy:3128', httpProxy: 'http://h.proxy:3128' };
    expect(proxyUrlFor(new URL('wss://api.openai.com/v1/realtime'), both)?.host).toBe('s.proxy:3128');
    expect(proxyUrlFor(new URL('ws://10.0.0.5/v1/realtime'), both)?.host).toBe('h.proxy:3128');
    expect(proxyUrlFor(new URL('wss://api.openai.com/x'), { httpProxy: 'http://h.proxy:1' })?.host).toBe(
      'h.proxy:1',
    );
    expect(proxyUrlFor(new URL('ws://10.0.0.5/x'), { httpsProxy: 'http://s.proxy:1' })).toBeUndefined();
    expect(proxyUrlFor(new URL('wss://api.openai.com/x'), undefined)).toBeUndefined();
  });

  it('reaches the hosts NO_PROXY names directly: a domain and its sub-domains, a port, or every host', () => {
    const proxy = (noProxy: string) => ({ httpsProxy: 'http://p:1', noProxy });
    const azure = new URL('wss://my-resource.openai.azure.com/openai/realtime');
    expect(proxyUrlFor(azure, proxy('.openai.azure.com'))).toBeUndefined();
    expect(proxyUrlFor(azure, proxy('*.azure.com, localhost'))).toBeUndefined();
    expect(proxyUrlFor(azure, proxy('openai.azure.com:8443'))).toBeDefined();
    expect(proxyUrlFor(azure, proxy('openai.azure.com:443'))).toBeUndefined();
    expect(proxyUrlFor(azure, proxy('*'))).toBeUndefined();
    expect(proxyUrlFor(azure, proxy('azure.com.evil'))).toBeDefined();
  });

  it('names a proxy without its credentials', () => {
    expect(proxyName(new URL('http://user:secret@proxy.internal:3128'))).toBe('http://proxy.internal:3128');
  });
});
