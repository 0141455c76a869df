// Requests through the router as signed-in listeners, timing, checks and the result table.
import { performance } from 'node:perf_hooks';
import { percentiles } from '../library/lib.mjs';

const HEADERS = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };

/** One GraphQL request: { ms (until the whole body is in), data, error (a failed request's message) }. */
export async function request(url, token, query, variables = {}, operationName = undefined) {
  const t0 = performance.now();
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...HEADERS, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ ...(operationName ? { operationName } : {}), query, variables }),
    });
    const text = await res.text();
    const ms = performance.now() - t0;
    const body = JSON.parse(text);
    if (!res.ok || body.errors) return { ms, error: `HTTP ${res.status} ${JSON.stringify(body.errors ?? body).slice(0, 300)}` };
    return { ms, data: body.data };
  } catch (err) {
    return { ms: performance.now() - t0, error: err.message };
  }
}

/** For the set-up: a request that has to succeed (three tries, two seconds apart). */
export async function post(url, token, query, variables = {}, operationName = undefined) {
  for (let attempt = 1; ; attempt++) {
    const r = await request(url, token, query, variables, operationName);
    if (!r.error) return r;
    if (attempt === 3) throw new Error(`${operationName ?? query.slice(0, 60)}: ${r.error}`);
    console.log(`  (retrying ${operationName ?? 'a set-up request'} after ${r.ms.toFixed(0)} ms: ${r.error.slice(0, 160)})`);
    await new Promise((res) => setTimeout(res, 2_000));
  }
}

/** Signs each account in through the router (resource checks the bcrypt hash), four at a time. */
export async function signIn(url, accounts) {
  const out = [];
  for (let i = 0; i < accounts.length; i += 4) {
    out.push(
      ...(await Promise.all(
        accounts.slice(i, i + 4).map(async (a) => {
          const { data } = await post(url, undefined, 'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { accessToken user { id } } }', {
            e: a.email,
            p: a.password,
          });
          return { u: a.u, token: data.signIn.accessToken, userId: data.signIn.user.id };
        }),
      )),
    );
  }
  return out;
}

/** Each listener's playlists, and the cursor after the first 100 items of its biggest (the page's "load more"). */
export async function prepareListeners(url, listeners, seeder, specs) {
  const playlist = specs.find((s) => s.name === 'Playlist');
  const failed = [];
  for (const l of listeners) {
    l.playlists = seeder.playlistsOf.get(l.u);
    const big = l.playlists.reduce((a, b) => (b.size > a.size ? b : a));
    const r = await request(url, l.token, playlist.query, { id: big.id }, 'Playlist');
    if (r.error) {
      failed.push(`${r.ms.toFixed(0)} ms: ${r.error.slice(0, 160)}`);
      continue;
    }
    if (!r.data.playlist.items.pageInfo.hasNextPage) throw new Error(`playlist ${big.id} of ${big.size} items has no second page`);
    l.bigPlaylist = { id: big.id, cursor: r.data.playlist.items.pageInfo.endCursor };
  }
  // Those listeners sit PlaylistItemsAfter out; the failures count in the Playlist row only if they happen there too.
  if (failed.length) console.log(`  the first Playlist page failed for ${failed.length} of ${listeners.length} listeners (first: ${failed[0]})`);
}

/** The API answers what was seeded: play counts of played tracks, each listener's newest plays, likes. */
export async function verifySeeded(url, listeners, seeder, library, pick) {
  const played = [...seeder.counts.keys()];
  for (let i = 0; i < 20; i++) {
    const id = played[pick(played.length)];
    const { data } = await post(url, listeners[i % listeners.length].token, 'query($id: ID!) { track(id: $id) { id playCount } }', { id });
    if (data.track?.playCount !== seeder.counts.get(id)) throw new Error(`track ${id}: playCount ${data.track?.playCount}, seeded ${seeder.counts.get(id)}`);
  }
  if (!library.trackIds.length) throw new Error('no tracks');
  for (const l of listeners.slice(0, 5)) {
    const { data } = await post(url, l.token, '{ me { id recentlyPlayed(first: 10) { completed track { id } } likedTracks(first: 1) { totalCount } } }');
    const seeded = seeder.recentOf.get(l.u).slice(0, 10);
    const got = data.me.recentlyPlayed.map((p) => `${p.track?.id}:${p.completed}`).join();
    if (got !== seeded.map((p) => `${p.trackId}:${p.completed}`).join()) throw new Error(`listener ${l.u}: recentlyPlayed differs from the seeded plays`);
    if (data.me.likedTracks.totalCount !== 100) throw new Error(`listener ${l.u}: ${data.me.likedTracks.totalCount} likes, seeded 100`);
  }
}

/**
 * `rounds` rounds (after `warmup` untimed ones); each round sends every query once, in turn, so
 * the shared machine's swings fall on all of them alike. Each request is one listener's (they
 * rotate), admin queries the admin's. A query that has taken `budgetMs` and has `minSamples`
 * samples drops out of the rounds (a read that takes seconds would hold the run for an hour).
 * Returns name → milliseconds.
 */
export async function measure(url, specs, listeners, admin, { rounds, warmup, budgetMs, minSamples }) {
  const out = new Map(specs.map((s) => [s.name, { ms: [], errors: 0, firstError: undefined }]));
  const spent = new Map(specs.map((s) => [s.name, 0]));
  for (let r = -warmup; r < rounds; r++) {
    const i = r + warmup;
    for (const [q, spec] of specs.entries()) {
      const m = out.get(spec.name);
      if (spent.get(spec.name) > budgetMs && m.ms.length >= minSamples) continue;
      // The listener whose turn it is, or the next one the query has variables for.
      let user;
      let vars;
      for (let k = 0; k < (spec.admin ? 1 : listeners.length) && vars === undefined; k++) {
        user = spec.admin ? admin : listeners[(i + q + k) % listeners.length];
        vars = spec.vars ? (spec.vars(i, user) ?? undefined) : {};
      }
      if (vars === undefined) continue;
      const res = await request(url, user.token, spec.query, vars, spec.op ?? undefined);
      let error = res.error;
      if (!error) {
        try {
          spec.check?.(res.data, user);
          spec.after?.(res.data, i);
        } catch (err) {
          error = err.message;
        }
      }
      spent.set(spec.name, spent.get(spec.name) + res.ms);
      if (r < 0) continue;
      // A failed request's time counts too: it is what the page waited.
      m.ms.push(res.ms);
      if (error) {
        m.errors += 1;
        m.firstError ??= error;
      }
    }
  }
  return out;
}

/** One stage's numbers, printed as soon as it is measured. */
export function stageSummary(fraction, samples, print) {
  print(`  ${fraction * 100} %: query p50 / p95 ms (requests, errors)`);
  for (const [name, m] of samples) {
    if (!m.ms.length) {
      print(`    ${name.padEnd(36)} no requests`);
      continue;
    }
    const p = percentiles(m.ms);
    print(
      `    ${name.padEnd(36)} ${f(p.p50).padStart(6)} / ${f(p.p95).padStart(6)} (${m.ms.length}, ${m.errors})${m.firstError ? ` first error: ${m.firstError.slice(0, 200)}` : ''}`,
    );
  }
}

const f = (n) => (n < 10 ? n.toFixed(1) : n.toFixed(0));
const cell = (p) => `${f(p.p50)} / ${f(p.p95)}`;

/** One table: query | p50/p95 at each stage | growth × (p50, p95) | target | met? */
export function table(results, print) {
  const [small, full] = results;
  const pct = (r) => `${r.fraction * 100} %`;
  for (const r of results) {
    const z = r.sizes;
    print(
      `${pct(r).padStart(5)}: ${z.tracks} tracks, ${z.albums} albums, ${z.artists} artists, ${z.users} users, ${z.plays} plays (${z.playSteps} history steps), ${z.likes} likes, ${z.playlists} playlists with ${z.playlistItems} items; load average after measuring ${r.load}`,
    );
  }
  print('');
  const head = ['query', `p50 / p95 ms at ${pct(small)}`, `p50 / p95 ms at ${pct(full)}`, 'growth × p50 / p95', 'requests', 'target', 'met'];
  const rows = [];
  const missed = [];
  for (const [name, fm] of full.samples) {
    const sm = small.samples.get(name);
    const spec = full.specs?.get(name);
    if (!fm.ms.length || !sm.ms.length) {
      rows.push([name, '—', '—', '—', '0', spec?.target ? `p95 ≤ ${spec.target} ms, ≤ 2×` : '', 'not measured']);
      continue;
    }
    const a = percentiles(sm.ms);
    const b = percentiles(fm.ms);
    const g50 = b.p50 / a.p50;
    const g95 = b.p95 / a.p95;
    const target = spec?.target;
    let met = '';
    if (target) {
      const misses = [];
      if (b.p95 > target) misses.push(`p95 > ${target} ms`);
      if (g50 > 2) misses.push('grows > 2×');
      if (fm.errors) misses.push(`${fm.errors} failed`);
      met = misses.length ? `NO: ${misses.join(', ')}` : 'yes';
      if (misses.length) missed.push(name);
    }
    const n = a.n === b.n ? String(a.n) : `${a.n} / ${b.n}`;
    const errors = sm.errors || fm.errors ? `, ${sm.errors} / ${fm.errors} failed` : '';
    rows.push([name, cell(a), cell(b), `${g50.toFixed(2)} / ${g95.toFixed(2)}`, n + errors, target ? `p95 ≤ ${target} ms, ≤ 2×` : '', met]);
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  print(line(head));
  print(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) print(line(r));
  print('');
  print(
    `growth is judged on p50 (a p95 of a few dozen requests on a shared 2-core machine swings with its load); ${missed.length ? `missed: ${missed.join(', ')}` : 'every target met'}`,
  );
}
