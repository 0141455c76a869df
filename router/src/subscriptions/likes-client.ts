import { createClient, ResourceClient, unaryCall, type CallerCredentials } from '@ytm/proto';

/** The liked (user, track) pairs among these users and tracks, as `${userId}\n${trackId}` keys. */
export type LikesLookup = (userIds: readonly string[], trackIds: readonly string[]) => Promise<Set<string>>;

export const likeKey = (userId: string, trackId: string) => `${userId}\n${trackId}`;

/** Users and tracks per LikesOfUsers call (resource accepts at most 10,000 and 1,000). */
const USERS_PER_CALL = 5_000;
const TRACKS_PER_CALL = 1_000;

/** Resource's LikesOfUsers over gRPC with the router's service identity, every call with a deadline. */
export function resourceLikesLookup(address: string, caller: CallerCredentials, deadlineMs: number): LikesLookup & { close(): void } {
  const client = createClient(ResourceClient, address, caller);
  const lookup = async (userIds: readonly string[], trackIds: readonly string[]) => {
    const liked = new Set<string>();
    const calls = [];
    for (let i = 0; i < userIds.length; i += USERS_PER_CALL)
      for (let j = 0; j < trackIds.length; j += TRACKS_PER_CALL)
        calls.push(
          unaryCall(
            client.likesOfUsers.bind(client),
            { userIds: userIds.slice(i, i + USERS_PER_CALL), trackIds: trackIds.slice(j, j + TRACKS_PER_CALL) },
            { deadlineMs },
          ),
        );
    for (const r of await Promise.all(calls)) for (const l of r.likes) liked.add(likeKey(l.userId, l.trackId));
    return liked;
  };
  return Object.assign(lookup, { close: () => client.close() });
}
