import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FullConfig } from '@playwright/test';
import { up, down } from '../../infra/infra.mjs';
import { startSystem, ROOT } from '../../scripts/system.mjs';
import { buildWeb } from '../../scripts/web.mjs';
import { writeMusic } from '../../scripts/music.mjs';
import { ALBUMS } from './music.mjs';

/** Music, a production build of the app, and every process of the system on free ports. */
export default async function globalSetup(_config: FullConfig) {
  const t0 = Date.now();
  const log = (m: string) => console.log(`[web-e2e] ${m} [${((Date.now() - t0) / 1000).toFixed(1)}s]`);
  if (!existsSync(join(ROOT, 'web/dist/index.html')) || process.env.YTM_WEB_BUILD === '1') {
    if (!(await buildWeb({ log }))) throw new Error('web build failed');
  }
  const music = mkdtempSync(join(tmpdir(), 'ytm-web-music-'));
  // 40 s a track: long enough to seek, and for a ticket renewal mid-track (below).
  const tracks = await writeMusic(music, ALBUMS, { seconds: 40 });
  log(`wrote ${tracks} tracks`);
  // npm test passes its infrastructure; alone (npm run test:e2e -w web), provision it here.
  const infra = process.env.MONGODB_URL && process.env.KAFKA_BROKERS ? undefined : await up({ log: (m: string) => console.log(`[infra] ${m}`) });
  const mongodbUrl = process.env.MONGODB_URL ?? infra!.mongodbUrl;
  const kafkaBrokers = process.env.KAFKA_BROKERS ?? infra!.kafkaBrokers;
  const dbPrefix = `webe2e${Date.now().toString(36)}`;
  // An administrator (ensured by resource at start) for the admin pages' tests.
  const admin = { email: 'admin@ytm.test', password: 'admin password for the web tests' };
  const system = await startSystem({
    mongodbUrl,
    kafkaBrokers,
    ephemeral: true,
    dbPrefix,
    production: true,
    env: {
      MUSIC_DIR: music,
      LOG_LEVEL: 'warn',
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      // Tickets last a track's length plus 10 s (the least allowed), so a renewal happens mid-track
      // (30 s before expiry: about 20 s into a 40 s track) and the browser tests play through it.
      TICKET_MARGIN_SECONDS: '10',
    },
  });
  const url = system.routerUrls[0] as string;
  log(`system up at ${url}`);
  await waitForScan(url, tracks);
  log('library scanned');
  process.env.YTM_WEB_URL = url;
  process.env.YTM_WEB_TRACKS = String(tracks);
  process.env.YTM_WEB_ALBUMS = String(ALBUMS.length);
  process.env.YTM_WEB_MUSIC = music;
  process.env.YTM_WEB_ADMIN_EMAIL = admin.email;
  process.env.YTM_WEB_ADMIN_PASSWORD = admin.password;
  // The tests' handle on the system (they run in other processes): POST /router/restart, and
  // POST /resource/restart with a JSON body of extra environment for that run (empty: as started).
  const services = system.services as Record<string, { restart(env?: Record<string, string>): Promise<void> }>;
  const control = createServer((req, res) => {
    const name = /^\/(router|resource)\/restart$/.exec(req.url ?? '')?.[1];
    if (req.method !== 'POST' || !name) {
      res.statusCode = 404;
      res.end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const env = text ? (JSON.parse(text) as Record<string, string>) : {};
      services[name]!.restart(env)
        .then(() => res.end('restarted'))
        .catch((err: Error) => {
          res.statusCode = 500;
          res.end(err.message);
        });
    });
  });
  await new Promise<void>((r) => control.listen(0, '127.0.0.1', r));
  process.env.YTM_WEB_CONTROL = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;
  return async () => {
    control.close();
    await system.stop();
    await dropDatabases(mongodbUrl, dbPrefix);
    if (infra?.startedNow.length && process.env.YTM_KEEP_INFRA !== '1') await down({ only: infra.startedNow, log: () => undefined });
    rmSync(music, { recursive: true, force: true });
  };
}

/** Polls libraryStats as a scout user until the scan has found every file. */
async function waitForScan(url: string, tracks: number): Promise<void> {
  const r = await fetch(`${url}/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `scout-${Date.now()}@example.com`, password: 'scout password', displayName: 'Scout' }),
  });
  const { accessToken } = (await r.json()) as { accessToken: string };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ query: '{ libraryStats { trackCount } }' }),
    });
    const body = (await res.json()) as { data?: { libraryStats: { trackCount: number } } };
    if ((body.data?.libraryStats.trackCount ?? 0) >= tracks) return;
    if (Date.now() > deadline) throw new Error(`library has ${body.data?.libraryStats.trackCount} of ${tracks} tracks after 60 s`);
    await new Promise((res2) => setTimeout(res2, 250));
  }
}

async function dropDatabases(mongodbUrl: string, prefix: string): Promise<void> {
  const { dropSystemDatabases } = await import('../../test/e2e/databases.js');
  await dropSystemDatabases(mongodbUrl, prefix);
}
