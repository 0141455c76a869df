import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

export interface AdvertiseOptions {
  /** The host the service is bound to (HOST). */
  host: string;
  /** The port it listens on. */
  port: number;
  /** ADVERTISE_HOST: the host other services reach this one at. */
  advertiseHost?: string | undefined;
  /** ADVERTISE_URL: the whole base URL (behind a port mapping or a proxy); wins over the others. */
  advertiseUrl?: string | undefined;
  /** The machine's interfaces; injected by tests. */
  interfaces?: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
}

const WILDCARDS = new Set(['', '0.0.0.0', '::', '[::]']);

export function isWildcardHost(host: string): boolean {
  return WILDCARDS.has(host);
}

/**
 * The base URL this service registers, i.e. where the router will send its traffic:
 * ADVERTISE_URL, else ADVERTISE_HOST, else the bound host. Bound to every interface (0.0.0.0
 * or ::) it is never a loopback address, which would point the router at itself: it is this
 * machine's first non-loopback address, and without one the service refuses to start.
 */
export function advertisedBaseUrl(o: AdvertiseOptions): string {
  if (o.advertiseUrl) {
    let url: URL | undefined;
    try {
      url = new URL(o.advertiseUrl);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      throw new Error(`ADVERTISE_URL must be an absolute http(s) URL (got ${o.advertiseUrl})`);
    return o.advertiseUrl.replace(/\/+$/, '');
  }
  const host = o.advertiseHost ?? (isWildcardHost(o.host) ? reachableAddress(o.interfaces ?? networkInterfaces) : o.host);
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${o.port}`;
}

function reachableAddress(interfaces: () => NodeJS.Dict<NetworkInterfaceInfo[]>): string {
  const external = Object.values(interfaces())
    .flatMap((list) => list ?? [])
    .filter((i) => !i.internal);
  const pick = external.find((i) => i.family === 'IPv4') ?? external.find((i) => i.family === 'IPv6' && !i.address.toLowerCase().startsWith('fe80:'));
  if (!pick) {
    throw new Error(
      'bound to every interface (HOST=0.0.0.0 or ::) but this machine has no non-loopback address: set ADVERTISE_HOST (or ADVERTISE_URL) to where other services reach this one',
    );
  }
  return pick.address;
}
