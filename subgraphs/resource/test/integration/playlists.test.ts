import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventCollector } from './event-collector.js';
import { codeOf, startHarness, type Harness, type TestSession } from './harness.js';

const FIELDS = 'id name description visibility version trackCount owner { id displayName } createdAt updatedAt';
const CREATE = `mutation($input: CreatePlaylistInput!) { createPlaylist(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdatePlaylistInput!, $v: Int) { updatePlaylist(id: $id, input: $input, expectedVersion: $v) { ${FIELDS} } }`;
const DELETE = 'mutation($id: ID!) { deletePlaylist(id: $id) }';
const GET = `query($id: ID!) { playlist(id: $id) { ${FIELDS} } }`;
const LIST =
  'query($id: ID!, $first: Int, $after: String) { user(id: $id) { playlists(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name visibility trackCount } } } } }';

let h: Harness;
let owner: TestSession;
let other: TestSession;
let admin: TestSession;
const events = new EventCollector();

beforeAll(async () => {
  h = await startHarness();
  [owner, other, admin] = await Promise.all([h.signUp('owner'), h.signUp('other'), h.signInAdmin()]);
  await events.start();
});
afterAll(async () => {
  await events.stop();
  await h.close();
});

async function create(s: TestSession, input: Record<string, unknown>) {
  const r = await h.gql(CREATE, { input }, s.accessToken);
  if (!r.data?.createPlaylist) throw new Error(JSON.stringify(r.errors));
  return r.data.createPlaylist as { id: string; version: number; name: string };
}

describe('createPlaylist', () => {
  it('creates a PRIVATE playlist by default at version 1, trimmed, owned by the caller', async () => {
    const p = await create(owner, { name: '  Road trip  ', description: '  songs for the car ' });
    expect(p).toMatchObject({
      name: 'Road trip',
      description: 'songs for the car',
      visibility: 'PRIVATE',
      version: 1,
      trackCount: 0,
      owner: { id: owner.user.id },
    });
    expect((await h.gql(GET, { id: p.id }, owner.accessToken)).data?.playlist).toEqual(p);
  });

  it.each([
    ['an empty name', { name: '' }, 'name'],
    ['a blank name', { name: '   ' }, 'name'],
    ['a 201-character name', { name: 'n'.repeat(201) }, 'name'],
    ['a name with a line break', { name: 'a\nb' }, 'name'],
    ['a 2,001-character description', { name: 'ok', description: 'd'.repeat(2_001) }, 'description'],
  ])('rejects %s', async (_, input, field) => {
    const r = await h.gql(CREATE, { input }, owner.accessToken);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('accepts a 200-character name and needs a signed-in user', async () => {
    expect((await create(owner, { name: 'é'.repeat(200) })).name).toHaveLength(200);
    expect(codeOf(await h.gql(CREATE, { input: { name: 'anon' } }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.gql(CREATE, { input: { name: 'x', visibility: 'SECRET' } }, owner.accessToken))).toBe('BAD_USER_INPUT');
  });
});

describe('visibility', () => {
  it('PRIVATE: owner and ADMIN read it; to anyone else it is missing, and writes are NOT_FOUND', async () => {
    const p = await create(owner, { name: 'secret', visibility: 'PRIVATE' });
    expect((await h.gql(GET, { id: p.id }, admin.accessToken)).data?.playlist.id).toBe(p.id);
    const r = await h.gql(GET, { id: p.id }, other.accessToken);
    expect(r.errors).toBeUndefined();
    expect(r.data?.playlist).toBeNull();
    expect(codeOf(await h.gql(UPDATE, { id: p.id, input: { name: 'mine now' } }, other.accessToken))).toBe('NOT_FOUND');
    expect(codeOf(await h.gql(DELETE, { id: p.id }, other.accessToken))).toBe('NOT_FOUND');
    expect(codeOf(await h.gql(GET, { id: p.id }))).toBe('UNAUTHENTICATED');
    // The same answer as for an ID that does not exist.
    expect((await h.gql(GET, { id: randomUUID() }, other.accessToken)).data?.playlist).toBeNull();
    expect(codeOf(await h.gql(UPDATE, { id: randomUUID(), input: { name: 'x' } }, other.accessToken))).toBe('NOT_FOUND');
  });

  it('PUBLIC: everyone signed in reads it; writes by others are FORBIDDEN; ADMIN may write', async () => {
    const p = await create(owner, { name: 'shared', visibility: 'PUBLIC' });
    expect((await h.gql(GET, { id: p.id }, other.accessToken)).data?.playlist).toMatchObject({ id: p.id, visibility: 'PUBLIC' });
    expect(codeOf(await h.gql(UPDATE, { id: p.id, input: { name: 'hijack' } }, other.accessToken))).toBe('FORBIDDEN');
    expect(codeOf(await h.gql(DELETE, { id: p.id }, other.accessToken))).toBe('FORBIDDEN');
    expect((await h.gql(GET, { id: p.id }, owner.accessToken)).data?.playlist).toMatchObject({ name: 'shared', version: 1 });
    const byAdmin = await h.gql(UPDATE, { id: p.id, input: { description: 'curated' } }, admin.accessToken);
    expect(byAdmin.data?.updatePlaylist).toMatchObject({ description: 'curated', version: 2, owner: { id: owner.user.id } });
  });

  it('switching to PRIVATE hides it from others at once', async () => {
    const p = await create(owner, { name: 'flip', visibility: 'PUBLIC' });
    await h.gql(UPDATE, { id: p.id, input: { visibility: 'PRIVATE' } }, owner.accessToken);
    expect((await h.gql(GET, { id: p.id }, other.accessToken)).data?.playlist).toBeNull();
  });

  it('rejects malformed playlist IDs', async () => {
    for (const id of ['nope', '', `${randomUUID()}x`, "'; drop table"]) {
      expect(codeOf(await h.gql(GET, { id }, owner.accessToken))).toBe('BAD_USER_INPUT');
      expect(codeOf(await h.gql(DELETE, { id }, owner.accessToken))).toBe('BAD_USER_INPUT');
    }
  });
});

describe('updatePlaylist', () => {
  it('changes name, description and visibility, one version per change', async () => {
    const p = await create(owner, { name: 'v1', description: 'first' });
    const r = await h.gql(UPDATE, { id: p.id, input: { name: 'v2', description: null, visibility: 'PUBLIC' }, v: 1 }, owner.accessToken);
    expect(r.data?.updatePlaylist).toMatchObject({ name: 'v2', description: null, visibility: 'PUBLIC', version: 2 });
    expect((await h.gql(UPDATE, { id: p.id, input: { description: 'again' } }, owner.accessToken)).data?.updatePlaylist.version).toBe(3);
  });

  it('answers a stale expectedVersion with CONFLICT and changes nothing', async () => {
    const p = await create(owner, { name: 'stale' });
    await h.gql(UPDATE, { id: p.id, input: { name: 'first' }, v: 1 }, owner.accessToken);
    const r = await h.gql(UPDATE, { id: p.id, input: { name: 'second' }, v: 1 }, owner.accessToken);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });
    expect((await h.gql(GET, { id: p.id }, owner.accessToken)).data?.playlist).toMatchObject({ name: 'first', version: 2 });
  });

  it('lets exactly one of ten parallel writers with the same expectedVersion win', async () => {
    const p = await create(owner, { name: 'race' });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => h.gql(UPDATE, { id: p.id, input: { name: `writer ${i}` }, v: 1 }, owner.accessToken)),
    );
    const winners = results.filter((r) => r.data?.updatePlaylist);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => codeOf(r) === 'CONFLICT')).toHaveLength(9);
    const stored = (await h.gql(GET, { id: p.id }, owner.accessToken)).data?.playlist;
    expect(stored).toMatchObject({ version: 2, name: winners[0]!.data?.updatePlaylist.name });
  });

  it('rebases writers without expectedVersion: all of them land, one version each', async () => {
    const p = await create(owner, { name: 'crowd' });
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => h.gql(UPDATE, { id: p.id, input: { description: `d${i}` } }, owner.accessToken)));
    expect(results.every((r) => r.data?.updatePlaylist)).toBe(true);
    expect(new Set(results.map((r) => r.data?.updatePlaylist.version))).toEqual(new Set([2, 3, 4, 5, 6]));
    expect((await h.gql(GET, { id: p.id }, owner.accessToken)).data?.playlist.version).toBe(6);
  });

  it('rejects an empty input, a null name and bad expected versions', async () => {
    const p = await create(owner, { name: 'strict' });
    expect(codeOf(await h.gql(UPDATE, { id: p.id, input: {} }, owner.accessToken))).toBe('BAD_USER_INPUT');
    expect(codeOf(await h.gql(UPDATE, { id: p.id, input: { name: null } }, owner.accessToken))).toBe('BAD_USER_INPUT');
    expect(codeOf(await h.gql(UPDATE, { id: p.id, input: { name: '' } }, owner.accessToken))).toBe('BAD_USER_INPUT');
    expect(codeOf(await h.gql(UPDATE, { id: p.id, input: { name: 'x' }, v: 0 }, owner.accessToken))).toBe('BAD_USER_INPUT');
    expect((await h.gql(GET, { id: p.id }, owner.accessToken)).data?.playlist.version).toBe(1);
  });
});

describe('deletePlaylist', () => {
  it('deletes for the owner; afterwards it is missing for everyone, and writes are NOT_FOUND', async () => {
    const p = await create(owner, { name: 'doomed', visibility: 'PUBLIC' });
    expect((await h.gql(DELETE, { id: p.id }, owner.accessToken)).data?.deletePlaylist).toBe(true);
    expect((await h.gql(GET, { id: p.id }, owner.accessToken)).data?.playlist).toBeNull();
    expect((await h.gql(GET, { id: p.id }, admin.accessToken)).data?.playlist).toBeNull();
    expect(codeOf(await h.gql(DELETE, { id: p.id }, owner.accessToken))).toBe('NOT_FOUND');
    expect(codeOf(await h.gql(UPDATE, { id: p.id, input: { name: 'back' } }, owner.accessToken))).toBe('NOT_FOUND');
  });

  it('ADMIN may delete any playlist', async () => {
    const p = await create(other, { name: 'moderated' });
    expect((await h.gql(DELETE, { id: p.id }, admin.accessToken)).data?.deletePlaylist).toBe(true);
  });
});

describe('User.playlists', () => {
  it('lists own playlists newest first with cursors; others see only PUBLIC ones; ADMIN sees all', async () => {
    const lister = await h.signUp('lister');
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await create(lister, { name: `p${i}`, visibility: i % 2 === 0 ? 'PUBLIC' : 'PRIVATE' })).id);
    // Pages come from the lister's heads held in memory: at most one read by owner (their load),
    // never a query, sort and count over every playlist head per page.
    const byOwner: string[] = [];
    h.resource.conn.set('debug', (collection: string, method: string, filter: unknown) => {
      if (collection === 'playlists' && JSON.stringify(filter ?? {}).includes(`"ownerId":"${lister.user.id}"`)) byOwner.push(method);
    });
    const page1 = (await h.gql(LIST, { id: lister.user.id, first: 2 }, lister.accessToken)).data?.user.playlists;
    expect(page1.totalCount).toBe(5);
    expect(page1.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(['p4', 'p3']);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await h.gql(LIST, { id: lister.user.id, first: 10, after: page1.pageInfo.endCursor }, lister.accessToken)).data?.user.playlists;
    expect(page2.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(['p2', 'p1', 'p0']);
    expect(page2.pageInfo.hasNextPage).toBe(false);

    const seenByOther = (await h.gql(LIST, { id: lister.user.id, first: 10 }, other.accessToken)).data?.user.playlists;
    expect(seenByOther.totalCount).toBe(3);
    expect(seenByOther.edges.every((e: { node: { visibility: string } }) => e.node.visibility === 'PUBLIC')).toBe(true);
    expect((await h.gql(LIST, { id: lister.user.id, first: 10 }, admin.accessToken)).data?.user.playlists.totalCount).toBe(5);
    h.resource.conn.set('debug', false);
    expect(byOwner.length).toBeLessThanOrEqual(1);

    await h.gql(DELETE, { id: made[4] }, lister.accessToken);
    expect((await h.gql(LIST, { id: lister.user.id }, lister.accessToken)).data?.user.playlists.totalCount).toBe(4);
  });

  it('rejects first outside 1..100 and malformed cursors', async () => {
    for (const first of [0, -1, 101]) expect(codeOf(await h.gql(LIST, { id: owner.user.id, first }, owner.accessToken))).toBe('BAD_USER_INPUT');
    for (const after of ['garbage', Buffer.from('[1]').toString('base64url'), 'x'.repeat(1_000)]) {
      expect(codeOf(await h.gql(LIST, { id: owner.user.id, after }, owner.accessToken))).toBe('BAD_USER_INPUT');
    }
  });
});

describe('playlist events', () => {
  it('publishes created, updated and deleted with the new version, __typename and id', async () => {
    const p = await create(owner, { name: 'evented', visibility: 'PUBLIC' });
    await h.gql(UPDATE, { id: p.id, input: { name: 'evented 2' } }, owner.accessToken);
    await h.gql(DELETE, { id: p.id }, owner.accessToken);
    const base = { __typename: 'Playlist', id: p.id, ownerId: owner.user.id, visibility: 'PUBLIC' };
    expect((await events.waitFor(p.id, 'resource.playlist.created')).data).toEqual({ ...base, version: 1 });
    expect((await events.waitFor(p.id, 'resource.playlist.updated')).data).toEqual({ ...base, version: 2 });
    expect((await events.waitFor(p.id, 'resource.playlist.deleted')).data).toEqual({ ...base, version: 3 });
    const order = events.of(p.id).map((e) => (e.data as { version: number }).version);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('publishes nothing for a rejected write', async () => {
    const p = await create(owner, { name: 'quiet' });
    await h.gql(UPDATE, { id: p.id, input: { name: 'x' }, v: 7 }, owner.accessToken);
    await h.gql(UPDATE, { id: p.id, input: { name: 'y' } }, other.accessToken);
    await events.waitFor(p.id, 'resource.playlist.created');
    // A write that is accepted, after them: one playlist's events keep their order, so an event of a
    // rejected write would have arrived before this one.
    await h.gql(UPDATE, { id: p.id, input: { name: 'z' }, v: 1 }, owner.accessToken);
    await events.waitFor(p.id, 'resource.playlist.updated');
    expect(events.of(p.id).map((e) => e.type)).toEqual(['resource.playlist.created', 'resource.playlist.updated']);
    expect((events.of(p.id)[1]!.data as { version: number }).version).toBe(2);
  });
});
