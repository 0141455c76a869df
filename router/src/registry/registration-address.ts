import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

export interface AddressCheckInput {
  graphqlUrl: string;
  httpUrl: string;
  /** The registering caller's address as grpc-js reports it (`10.0.0.5:51234`, `[::1]:51234`). */
  peer: string;
}

/** Why the router will not route to these URLs, or undefined when it will. */
export type RegistrationAddressCheck = (input: AddressCheckInput) => Promise<string | undefined>;

export interface AddressCheckOptions {
  /** The ports this router listens on (HTTP, gRPC): a URL on one of them at a local address is the router itself. */
  ownPorts: () => number[];
  /** How long the router waits for the subgraph to answer its probe (a cold subgraph on a busy machine is slow). Default 4 s. */
  probeTimeoutMs?: number;
}

/**
 * A registration is routed to only if its URLs lead somewhere other than this router and the
 * GraphQL URL answers as a subgraph (`{ _service { __typename } }`, which the router's own API
 * does not serve). A loopback URL is accepted only from a caller on this machine.
 */
export function registrationAddressCheck(options: AddressCheckOptions): RegistrationAddressCheck {
  const probeTimeoutMs = options.probeTimeoutMs ?? 4_000;
  return async ({ graphqlUrl, httpUrl, peer }) => {
    for (const [field, value] of [
      ['graphql_url', graphqlUrl],
      ['http_url', httpUrl],
    ] as const) {
      if (!value) continue;
      const problem = await addressProblem(new URL(value), peer, options.ownPorts());
      if (problem) return `${field} ${value} ${problem}`;
    }
    // An HTTP-only service (ytm-subsonic) has no GraphQL URL: its /health must answer instead.
    if (!graphqlUrl) {
      const health = await probeHealth(httpUrl, probeTimeoutMs);
      return health ? `http_url ${httpUrl} is not reachable from the router (${health})` : undefined;
    }
    const answer = await probeSubgraph(graphqlUrl, probeTimeoutMs);
    return answer ? `graphql_url ${graphqlUrl} is not reachable as a subgraph from the router (${answer})` : undefined;
  };
}

async function addressProblem(url: URL, peer: string, ownPorts: number[]): Promise<string | undefined> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await withTimeout(lookup(host, { all: true }), 1_000)).map((a) => a.address);
  } catch {
    return 'does not resolve from the router';
  }
  if (addresses.some(isUnspecified)) return 'is not an address to connect to (0.0.0.0 / ::): set ADVERTISE_HOST';
  const local = localAddresses();
  if (ownPorts.includes(port) && addresses.some((a) => isLoopback(a) || local.has(normalise(a)))) return 'points at the router itself';
  if (addresses.some(isLoopback) && !isLoopback(peerAddress(peer)))
    return `is a loopback address, registered from another machine (${peer}): set ADVERTISE_HOST`;
  return undefined;
}

async function probeSubgraph(graphqlUrl: string, timeoutMs: number): Promise<string | undefined> {
  try {
    const res = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ _service { __typename } }' }),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.json().catch(() => undefined)) as { data?: { _service?: { __typename?: string } } } | undefined;
    if (res.ok && body?.data?._service?.__typename === '_Service') return undefined;
    return `answered ${res.status} without a subgraph's _service`;
  } catch (err) {
    return (err as Error).name === 'TimeoutError'
      ? `no answer within ${timeoutMs} ms`
      : ((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message);
  }
}

async function probeHealth(httpUrl: string, timeoutMs: number): Promise<string | undefined> {
  try {
    const res = await fetch(new URL('/health', httpUrl), { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json().catch(() => undefined)) as { status?: string } | undefined;
    return res.ok && body?.status === 'ok' ? undefined : `answered ${res.status} to GET /health`;
  } catch (err) {
    return (err as Error).name === 'TimeoutError'
      ? `no answer within ${timeoutMs} ms`
      : ((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

function localAddresses(): Set<string> {
  return new Set(
    Object.values(networkInterfaces())
      .flatMap((list) => list ?? [])
      .map((i) => normalise(i.address)),
  );
}

/** grpc-js peers: `10.0.0.5:51234` → `10.0.0.5`; `::1:51234` or `[::1]:51234` → `::1`. */
function peerAddress(peer: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(peer);
  if (bracketed) return normalise(bracketed[1] ?? '');
  const lastColon = peer.lastIndexOf(':');
  return normalise(lastColon > 0 && /^\d+$/.test(peer.slice(lastColon + 1)) ? peer.slice(0, lastColon) : peer);
}

function normalise(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice('::ffff:'.length) : lower;
}

function isLoopback(address: string): boolean {
  const a = normalise(address);
  return a === '::1' || a.startsWith('127.') || a === 'localhost';
}

function isUnspecified(address: string): boolean {
  const a = normalise(address);
  return a === '0.0.0.0' || a === '::';
}
