import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { codeOf, startHarness, type Harness, type TestSession } from './harness.js';

let h: Harness;
let owner: TestSession;
let other: TestSession;
let privateId: string;
let publicId: string;

beforeAll(async () => {
  h = await startHarness();
  [owner, other] = await Promise.all([h.signUp('owner'), h.signUp('other')]);
  const create = async (visibility: string) =>
    (await h.gql('mutation($v: PlaylistVisibility) { createPlaylist(input: { name: "p", visibility: $v }) { id } }', { v: visibility }, owner.accessToken)).data
      ?.createPlaylist.id as string;
  [privateId, publicId] = await Promise.all([create('PRIVATE'), create('PUBLIC')]);
});
afterAll(async () => {
  await h.close();
});

// Every operation but signUp, signIn and refreshSession needs an access token.
const OPERATIONS: Array<[string, string, () => Record<string, unknown>]> = [
  ['me', '{ me { id } }', () => ({})],
  ['user', 'query($id: ID!) { user(id: $id) { id } }', () => ({ id: owner.user.id })],
  ['playlist', 'query($id: ID!) { playlist(id: $id) { id } }', () => ({ id: publicId })],
  ['signOut', 'mutation { signOut }', () => ({})],
  ['changePassword', 'mutation { changePassword(currentPassword: "a", newPassword: "bbbbbbbbbb") }', () => ({})],
  ['updateProfile', 'mutation { updateProfile(displayName: "x") { id } }', () => ({})],
  ['setUserPlan', 'mutation($id: ID!) { setUserPlan(userId: $id, tier: PREMIUM) { id } }', () => ({ id: owner.user.id })],
  ['createPlaylist', 'mutation { createPlaylist(input: { name: "x" }) { id } }', () => ({})],
  ['updatePlaylist', 'mutation($id: ID!) { updatePlaylist(id: $id, input: { name: "x" }) { id } }', () => ({ id: publicId })],
  ['deletePlaylist', 'mutation($id: ID!) { deletePlaylist(id: $id) }', () => ({ id: publicId })],
  ['addTracksToPlaylist', 'mutation($id: ID!) { addTracksToPlaylist(id: $id, trackIds: ["t1"]) { id } }', () => ({ id: publicId })],
  ['removePlaylistItems', 'mutation($id: ID!) { removePlaylistItems(id: $id, itemIds: ["i1"]) { id } }', () => ({ id: publicId })],
  ['movePlaylistItem', 'mutation($id: ID!) { movePlaylistItem(id: $id, itemId: "i1", toPosition: 0) { id } }', () => ({ id: publicId })],
  ['likeTrack', 'mutation { likeTrack(trackId: "t1") { id } }', () => ({})],
  ['unlikeTrack', 'mutation { unlikeTrack(trackId: "t1") { id } }', () => ({})],
  [
    '_entities User',
    'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id } } }',
    () => ({ r: [{ __typename: 'User', id: owner.user.id }] }),
  ],
  [
    '_entities Playlist',
    'query($r: [_Any!]!) { _entities(representations: $r) { ... on Playlist { id } } }',
    () => ({ r: [{ __typename: 'Playlist', id: publicId }] }),
  ],
];

describe('without an access token', () => {
  it.each(OPERATIONS)('%s is UNAUTHENTICATED', async (_, query, vars) => {
    expect(codeOf(await h.gql(query, vars()))).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['a malformed header', 'Token abc'],
    ['a garbage token', 'Bearer abc.def.ghi'],
    [
      'an unsigned token',
      `Bearer ${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${Buffer.from(`{"sub":"${randomUUID()}"}`).toString('base64url')}.`,
    ],
  ])('%s is UNAUTHENTICATED', async (_, authorization) => {
    const r = await fetch(`${h.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(((await r.json()) as { errors?: Array<{ extensions?: { code?: string } }> }).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('entity references (what the router fetches for other subgraphs and subscriptions)', () => {
  const PLAYLIST = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Playlist { id name } } }';

  it('resolves a PRIVATE playlist for its owner only; others get null, like a missing or malformed ID', async () => {
    const reps = [privateId, publicId, randomUUID(), 'not-a-uuid'].map((id) => ({ __typename: 'Playlist', id }));
    const mine = (await h.gql(PLAYLIST, { r: reps }, owner.accessToken)).data?._entities as Array<{ id: string } | null>;
    expect(mine.map((e) => e?.id ?? null)).toEqual([privateId, publicId, null, null]);
    const theirs = (await h.gql(PLAYLIST, { r: reps }, other.accessToken)).data?._entities as Array<{ id: string } | null>;
    expect(theirs.map((e) => e?.id ?? null)).toEqual([null, publicId, null, null]);
  });

  it('lets anyone signed in resolve users, but not their email', async () => {
    const q = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id displayName email } } }';
    const r = await h.gql(q, { r: [{ __typename: 'User', id: owner.user.id }] }, other.accessToken);
    expect(codeOf(r)).toBe('FORBIDDEN');
    expect((await h.gql(q, { r: [{ __typename: 'User', id: owner.user.id }] }, owner.accessToken)).data?._entities[0].email).toBe(owner.user.email);
  });

  it('answers an unknown or malformed user ID with null', async () => {
    for (const id of [randomUUID(), 'garbage'])
      expect((await h.gql('query($id: ID!) { user(id: $id) { id } }', { id }, owner.accessToken)).data?.user).toBeNull();
  });
});
