import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeServer, createClient, fromGrpcError, listen, ResourceClient, status, unaryCall } from '@ytm/proto';
import { testIdentity } from '@ytm/testing';
import { startHarness, type Harness, type TestSession } from './harness.js';

const LIKE = 'mutation($t: ID!) { likeTrack(trackId: $t) { id liked } }';
const UNLIKE = 'mutation($t: ID!) { unlikeTrack(trackId: $t) { id liked } }';

/** LikesOfUsers: the router reads Track.liked of a subscription event for all its subscribers in one call. */
describe('the Resource gRPC LikesOfUsers method', () => {
  let h: Harness;
  let ann: TestSession;
  let bob: TestSession;
  let carl: TestSession;
  let router: ResourceClient;
  let address: string;
  const opts = { deadlineMs: 5_000 };
  beforeAll(async () => {
    h = await startHarness();
    [ann, bob, carl] = [await h.signUp('ann'), await h.signUp('bob'), await h.signUp('carl')];
    address = `127.0.0.1:${await listen(h.resource.grpc.server, '127.0.0.1', 0)}`;
    router = createClient(ResourceClient, address, testIdentity('router'));
  });
  afterAll(async () => {
    router.close();
    await closeServer(h.resource.grpc.server, 100);
    await h.close();
  });

  it('answers the liked (user, track) pairs among many users and tracks, unliked ones left out', async () => {
    const [t1, t2, t3] = h.library.add(3);
    const like = async (s: TestSession, t: string, q = LIKE) => expect((await h.gql(q, { t }, s.accessToken)).errors).toBeUndefined();
    await like(ann, t1!);
    await like(ann, t2!);
    await like(bob, t2!);
    await like(carl, t1!);
    await like(carl, t1!, UNLIKE);
    const { likes } = await unaryCall(
      router.likesOfUsers.bind(router),
      { userIds: [ann.user.id, bob.user.id, carl.user.id, 'nobody'], trackIds: [t1!, t2!, t3!] },
      opts,
    );
    const pairs = likes.map((l) => `${l.userId === ann.user.id ? 'ann' : l.userId === bob.user.id ? 'bob' : l.userId}:${l.trackId}`).sort();
    expect(pairs).toEqual([`ann:${t1}`, `ann:${t2}`, `bob:${t2}`].sort());
    expect(likes.every((l) => l.likedAtMs > 0)).toBe(true);
    expect((await unaryCall(router.likesOfUsers.bind(router), { userIds: [], trackIds: [t1!] }, opts)).likes).toEqual([]);
  });

  it('refuses malformed or oversized requests with BAD_USER_INPUT, and every caller but the router', async () => {
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'OK',
        (err: unknown) => fromGrpcError(err).code,
      );
    expect(await code(unaryCall(router.likesOfUsers.bind(router), { userIds: [ann.user.id], trackIds: ['bad id!'] }, opts))).toBe('BAD_USER_INPUT');
    expect(
      await code(unaryCall(router.likesOfUsers.bind(router), { userIds: [ann.user.id], trackIds: Array.from({ length: 1_001 }, (_, i) => `t${i}`) }, opts)),
    ).toBe('BAD_USER_INPUT');
    expect(
      await code(unaryCall(router.likesOfUsers.bind(router), { userIds: Array.from({ length: 10_001 }, (_, i) => `u${i}`), trackIds: ['t1'] }, opts)),
    ).toBe('BAD_USER_INPUT');
    const subsonic = createClient(ResourceClient, address, testIdentity('subsonic'));
    try {
      await expect(unaryCall(subsonic.likesOfUsers.bind(subsonic), { userIds: [ann.user.id], trackIds: ['t1'] }, opts)).rejects.toMatchObject({
        code: status.PERMISSION_DENIED,
      });
    } finally {
      subsonic.close();
    }
  });
});
