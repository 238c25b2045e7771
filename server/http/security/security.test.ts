/** The security policy's pure parts: origins, hosts, tokens, the serve bind check. */
import { describe, expect, it } from 'vitest';
import { bindRefusal, isLoopbackHost } from './bindCheck';
import { corsHeaders, hostTrusted, judgeOrigin } from './origin';
import { bearerToken, loadSecurityPolicy, normalizeOrigin, tokenMatches } from './policy';

const policy = loadSecurityPolicy({
  CHORDFLOW_CORS_ORIGINS: 'https://UI.example.com, http://localhost:5173',
});

describe('security policy', () => {
  it('reads origins, token and cap from the environment', () => {
    expect([...policy.corsOrigins]).toEqual(['https://ui.example.com', 'http://localhost:5173']);
    expect(policy.token).toBeUndefined();
    expect(policy.maxSubscriptions).toBe(100);
    expect(() => loadSecurityPolicy({ CHORDFLOW_CORS_ORIGINS: 'ui.example.com' })).toThrow(/origins such as/);
    expect(() => loadSecurityPolicy({ CHORDFLOW_MAX_SUBSCRIPTIONS: '0' })).toThrow(/positive integer/);
    expect(normalizeOrigin('javascript:alert(1)')).toBeNull();
  });

  it('judges origins: none, own, listed, foreign', () => {
    const host = { host: '127.0.0.1:3000' };
    expect(judgeOrigin(host, policy)).toBe('none');
    expect(judgeOrigin({ ...host, origin: 'http://127.0.0.1:3000' }, policy)).toBe('own');
    expect(judgeOrigin({ ...host, origin: 'https://ui.example.com' }, policy)).toBe('listed');
    expect(judgeOrigin({ ...host, origin: 'http://127.0.0.1:3001' }, policy)).toBe('foreign');
    expect(judgeOrigin({ ...host, origin: 'null' }, policy)).toBe('foreign');
    expect(corsHeaders({ ...host, origin: 'https://ui.example.com' }, policy)).toMatchObject({
      'access-control-allow-origin': 'https://ui.example.com',
    });
    expect(corsHeaders({ ...host, origin: 'http://evil.example' }, policy)).toEqual({});
  });

  it('trusts only loopback names, IP literals and listed hosts without a token (DNS rebinding)', () => {
    expect(hostTrusted({ host: 'localhost:3000' }, policy)).toBe(true);
    expect(hostTrusted({ host: '10.0.0.5:3000' }, policy)).toBe(true);
    expect(hostTrusted({ host: '[::1]:3000' }, policy)).toBe(true);
    expect(hostTrusted({ host: 'ui.example.com' }, policy)).toBe(true);
    expect(hostTrusted({ host: 'rebind.attacker.example:3000' }, policy)).toBe(false);
    expect(hostTrusted({ host: 'rebind.attacker.example' }, { ...policy, token: 't' })).toBe(true);
  });

  it('compares tokens exactly', () => {
    expect(bearerToken('Bearer abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches(undefined, 'abc')).toBe(false);
  });

  it('refuses to serve a non-loopback address without a token unless --insecure', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(bindRefusal('127.0.0.1', undefined, false)).toBeNull();
    expect(bindRefusal('0.0.0.0', undefined, false)).toMatch(/refusing to listen on 0\.0\.0\.0.*--insecure/);
    expect(bindRefusal('0.0.0.0', 'tok', false)).toBeNull();
    expect(bindRefusal('0.0.0.0', undefined, true)).toBeNull();
  });
});
