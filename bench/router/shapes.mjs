// The request shapes of bench/router. `varied`: every request its own user (among all) and its own
// list size, so no gateway gains from deduplicating identical requests; `identical`: one request.
const TRACK = 'id title duration album { id title } artists { id name }';

const pick = (mode, i, n) => (mode === 'identical' ? 0 : i % n);
const many = (ctx, mode, make) => Array.from({ length: mode === 'identical' ? 1 : 200 }, (_, i) => make(i));
const request = (query, variables, token) => ({ body: JSON.stringify({ __args: [query, variables] }), token });

export const SHAPES = {
  tracks: {
    requests: (ctx, mode) =>
      many(ctx, mode, (i) =>
        request(
          `query($n: Int!) { tracks(first: $n) { edges { node { ${TRACK} } } } }`,
          { n: 10 + pick(mode, i, 41) },
          ctx.users[pick(mode, i, ctx.users.length)],
        ),
      ),
  },
  liked: {
    requests: (ctx, mode) =>
      many(ctx, mode, (i) =>
        request(
          `query($n: Int!) { tracks(first: $n) { edges { node { ${TRACK} liked } } } }`,
          { n: 10 + pick(mode, i, 41) },
          ctx.users[pick(mode, i, ctx.users.length)],
        ),
      ),
  },
  me: {
    requests: (ctx, mode) => many(ctx, mode, (i) => request('{ me { id displayName email } }', {}, ctx.users[pick(mode, i, ctx.users.length)])),
  },
  deep: {
    requests: (ctx, mode) =>
      many(ctx, mode, (i) =>
        request(
          'query($n: Int!) { tracks(first: $n) { edges { node { id title album { id title artist { id name albums(first: 5) { edges { node { id title } } } } } } } } }',
          { n: 5 + pick(mode, i, 16) },
          ctx.users[pick(mode, i, ctx.users.length)],
        ),
      ),
  },
  mutation: {
    // Liking again is idempotent (the first like's time stays): once every pair is liked, resource
    // answers it with a read by _id (the like document) and writes nothing (the write path is `profile`, below).
    requests: (ctx, mode) =>
      many(ctx, mode, (i) =>
        request(
          'mutation($t: ID!) { likeTrack(trackId: $t) { id liked } }',
          { t: ctx.trackIds[pick(mode, i, 20)] },
          ctx.users[pick(mode, i, ctx.users.length)],
        ),
      ),
  },
  profile: {
    // A write every time without growth: each request gives its user another display name (the
    // user document rewritten by _id).
    requests: (ctx, mode) =>
      many(ctx, mode, (i) =>
        request(
          'mutation($n: String!) { updateProfile(displayName: $n) { id displayName } }',
          { n: `Listener ${i}` },
          ctx.users[pick(mode, i, ctx.users.length)],
        ),
      ),
  },
};
