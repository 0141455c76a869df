import { describe, expect, it } from '@jest/globals';
import type { NetworkInterfaceInfo } from 'node:os';
import { advertisedBaseUrl } from '../../src/advertise.js';

const iface = (address: string, family: 'IPv4' | 'IPv6', internal = false) => ({ address, family, internal }) as NetworkInterfaceInfo;
const machine = () => ({
  lo: [iface('127.0.0.1', 'IPv4', true), iface('::1', 'IPv6', true)],
  eth0: [iface('fe80::1', 'IPv6'), iface('fd00::2', 'IPv6'), iface('10.1.2.3', 'IPv4')],
});

describe('the address a service registers', () => {
  it('is the bound host when bound to one address', () => {
    expect(advertisedBaseUrl({ host: '127.0.0.1', port: 4001, interfaces: machine })).toBe('http://127.0.0.1:4001');
    expect(advertisedBaseUrl({ host: 'fd00::2', port: 4001, interfaces: machine })).toBe('http://[fd00::2]:4001');
  });

  it('is never loopback when bound to every interface: the first non-loopback address', () => {
    expect(advertisedBaseUrl({ host: '0.0.0.0', port: 4001, interfaces: machine })).toBe('http://10.1.2.3:4001');
    expect(advertisedBaseUrl({ host: '::', port: 4001, interfaces: machine })).toBe('http://10.1.2.3:4001');
    const v6only = () => ({ lo: [iface('127.0.0.1', 'IPv4', true)], eth0: [iface('fe80::1', 'IPv6'), iface('fd00::2', 'IPv6')] });
    expect(advertisedBaseUrl({ host: '0.0.0.0', port: 4001, interfaces: v6only })).toBe('http://[fd00::2]:4001');
    const loopbackOnly = () => ({ lo: [iface('127.0.0.1', 'IPv4', true)] });
    expect(() => advertisedBaseUrl({ host: '0.0.0.0', port: 4001, interfaces: loopbackOnly })).toThrow(/set ADVERTISE_HOST/);
  });

  it('is ADVERTISE_HOST, or ADVERTISE_URL as given, when set', () => {
    expect(advertisedBaseUrl({ host: '0.0.0.0', port: 4001, advertiseHost: 'library', interfaces: machine })).toBe('http://library:4001');
    expect(advertisedBaseUrl({ host: '0.0.0.0', port: 4001, advertiseHost: 'library', advertiseUrl: 'https://lib.internal:8443/', interfaces: machine })).toBe(
      'https://lib.internal:8443',
    );
    expect(() => advertisedBaseUrl({ host: '0.0.0.0', port: 4001, advertiseUrl: 'library:4001' })).toThrow('ADVERTISE_URL must be an absolute http(s) URL');
  });
});
