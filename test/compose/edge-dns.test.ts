import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '@ytm/testing';
import { EDGE_IMAGE } from './lib/images.mjs';
import { podman } from './lib/podman.mjs';
import { freePort } from '../../scripts/system.mjs';

/**
 * deploy/haproxy.cfg's `resolvers compose` against real aardvark-dns servers (podman's DNS server,
 * the binary netavark starts) run by this test on loopback, the way a podman container sees them:
 * first the network's server, which knows `router` (two router addresses), then one answering
 * NXDOMAIN for it (podman lists the host's resolvers after aardvark-dns). HAProxy is the edge's
 * image, on the host's network; the two routers are HTTP servers here answering /health. Only the
 * nameserver line, the ports and the routers' port differ from the file. Proven: with the network's
 * DNS server gone for longer than HAProxy's default 30 s hold, both routers stay in the edge and
 * answer; health checks alone take a router out and back; an address the name stops giving is
 * freed after `hold obsolete` (30 s), not at once. Run by `npm run test:compose` (scenario `edge`).
 */
const env = process.env;
const AARDVARK = ['/usr/lib/podman/aardvark-dns', '/usr/libexec/podman/aardvark-dns'].find((p) => spawnSync('test', ['-x', p]).status === 0);
const ROUTERS = ['127.0.0.5', '127.0.0.6'];
const NETWORK_DNS = '127.0.0.2';
const HOST_DNS = '127.0.0.3';

interface Slot {
  slot: string;
  address: string;
  status: string;
}

describe("the edge's DNS settings (deploy/haproxy.cfg) against aardvark-dns", () => {
  const dir = mkdtempSync(join(tmpdir(), 'ytm-edge-dns-'));
  const container = `ytmedgedns${process.pid}`;
  const servers: Server[] = [];
  const healthy = new Map(ROUTERS.map((ip) => [ip, true]));
  let dnsPort: number;
  let routerPort: number;
  let publicPort: number;
  let monitorPort: number;

  const networkFile = (ip: string, entries: string[]) => `${ip}\n${entries.map((e, i) => `ctr${i} ${e.split(' ')[0]}  ${e.split(' ')[1]}`).join('\n')}\n`;
  /** Starts an aardvark-dns (it forks and returns once serving) on `ip`, knowing `entries` (`ip name` lines). */
  const startDns = (name: string, ip: string, entries: string[]) => {
    const config = join(dir, name);
    mkdirSync(config, { recursive: true });
    writeFileSync(join(config, 'net'), networkFile(ip, entries));
    const r = spawnSync(AARDVARK!, ['--config', config, '-p', String(dnsPort), 'run'], { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`aardvark-dns did not start (${r.status})`);
  };
  const pidOf = (name: string) => Number(readFileSync(join(dir, name, 'aardvark.pid'), 'utf8'));
  /** What netavark does when a container leaves the network: the file rewritten, then SIGHUP. */
  const reloadDns = (name: string, ip: string, entries: string[]) => {
    writeFileSync(join(dir, name, 'net'), networkFile(ip, entries));
    process.kill(pidOf(name), 'SIGHUP');
  };
  const stopDns = (name: string) => process.kill(pidOf(name), 'SIGTERM');
  const slots = async (): Promise<Slot[]> => {
    const csv = await (await fetch(`http://127.0.0.1:${monitorPort}/stats;csv`)).text();
    const [head, ...rows] = csv.split('\n');
    const cols = head!.slice(2).split(',');
    const at = (r: string[], c: string) => r[cols.indexOf(c)] ?? '';
    return rows
      .map((l) => l.split(','))
      .filter((r) => at(r, 'pxname') === 'routers' && at(r, 'svname') !== 'BACKEND' && at(r, 'addr'))
      .map((r) => ({ slot: at(r, 'svname'), address: at(r, 'addr').replace(/:\d+$/, ''), status: at(r, 'status') }));
  };
  /** The routers taking requests: UP, or UP with a failed check short of `fall` ("UP 1/2"). */
  const up = async () =>
    (await slots())
      .filter((s) => s.status.startsWith('UP'))
      .map((s) => s.address)
      .sort();
  const through = async () => (await fetch(`http://127.0.0.1:${publicPort}/health`)).status;

  beforeAll(async () => {
    if (!AARDVARK) throw new Error('aardvark-dns not found: apt-get install -y podman (it depends on aardvark-dns)');
    [dnsPort, routerPort, publicPort, monitorPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    for (const ip of ROUTERS) {
      const server = createServer((req, res) => {
        res.statusCode = healthy.get(ip) ? 200 : 503;
        res.end(ip);
      });
      await new Promise<void>((r) => server.listen(routerPort, ip, r));
      servers.push(server);
    }
    startDns(
      'network',
      NETWORK_DNS,
      ROUTERS.map((ip) => `${ip} router`),
    );
    startDns('host', HOST_DNS, ['127.0.0.9 somethingelse']);
    const cfg = readFileSync('deploy/haproxy.cfg', 'utf8');
    const edits: Array<[string, string]> = [
      ['  parse-resolv-conf\n', `  nameserver network ${NETWORK_DNS}:${dnsPort}\n  nameserver host ${HOST_DNS}:${dnsPort}\n`],
      ['  bind :4000\n', `  bind 127.0.0.1:${publicPort}\n`],
      ['  bind 127.0.0.1:8405\n', `  bind 127.0.0.1:${monitorPort}\n`],
      ['  server-template router 8 router:4000\n', `  server-template router 8 router:${routerPort}\n`],
    ];
    let edited = cfg;
    for (const [from, to] of edits) {
      expect([from, edited.includes(from)]).toEqual([from, true]);
      edited = edited.replace(from, to);
    }
    writeFileSync(join(dir, 'haproxy.cfg'), edited);
    // The run's project label: run.mjs's clean-up (or a later run's, if this one is killed) removes it.
    const label = env.YTM_COMPOSE_PROJECT ? ['--label', `io.podman.compose.project=${env.YTM_COMPOSE_PROJECT}`] : [];
    await podman(env, [
      'run',
      '-d',
      '--name',
      container,
      ...label,
      '--network',
      'host',
      '-v',
      `${join(dir, 'haproxy.cfg')}:/usr/local/etc/haproxy/haproxy.cfg:ro`,
      EDGE_IMAGE,
    ]);
  });

  afterAll(async () => {
    await podman(env, ['rm', '-f', '-t', '0', container], { allowFail: true });
    for (const name of ['network', 'host']) {
      try {
        stopDns(name);
      } catch {
        // already stopped
      }
    }
    for (const s of servers) s.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds both routers through DNS and health-checks them UP', async () => {
    await waitFor(async () => (await up().catch(() => [])).join() === ROUTERS.join(), 30_000, 250, 'both routers UP in the edge');
    expect(await through()).toBe(200);
  });

  it('frees an address the name stopped giving after hold obsolete (30 s), not at once', async () => {
    reloadDns('network', NETWORK_DNS, [`${ROUTERS[0]} router`]);
    const t0 = Date.now();
    // The answer now lacks the second router: it stays in the edge (UP, it is healthy) for a while ...
    await new Promise((r) => setTimeout(r, 15_000));
    expect(await up()).toEqual(ROUTERS);
    // ... and its slot is freed once it has been missing from the answers for 30 s.
    await waitFor(async () => !(await slots()).some((s) => s.address === ROUTERS[1]), 40_000, 500, `${ROUTERS[1]} freed`);
    expect(Date.now() - t0).toBeGreaterThan(25_000);
    expect(await up()).toEqual([ROUTERS[0]]);
    expect(await through()).toBe(200);
  });

  it('adds an address as soon as an answer gives it', async () => {
    reloadDns(
      'network',
      NETWORK_DNS,
      ROUTERS.map((ip) => `${ip} router`),
    );
    await waitFor(async () => (await up()).join() === ROUTERS.join(), 15_000, 250, 'both routers UP again');
  });

  it("keeps both routers while the network's DNS server is gone for 40 s (HAProxy's default hold: 30 s)", async () => {
    stopDns('network');
    // Observed for longer than the default hold (30 s) plus the three 1 s retries: the routers must
    // stay UP and answer the whole time (the other nameserver answers NXDOMAIN meanwhile).
    const until = Date.now() + 40_000;
    while (Date.now() < until) {
      expect(await up()).toEqual(ROUTERS);
      expect(await through()).toBe(200);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  });

  it('with DNS still gone, takes a router out when its health check fails and back when it passes', async () => {
    healthy.set(ROUTERS[0]!, false);
    await waitFor(async () => (await up()).join() === ROUTERS[1], 15_000, 250, `${ROUTERS[0]} out of the edge`);
    for (let i = 0; i < 4; i++) expect(await through()).toBe(200);
    healthy.set(ROUTERS[0]!, true);
    await waitFor(async () => (await up()).join() === ROUTERS.join(), 15_000, 250, `${ROUTERS[0]} back in the edge`);
  });
});
