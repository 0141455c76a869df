// graphql-codegen's configuration (what the CLI reads from codegen.ts; scripts/gen-graphql.mjs runs it):
// per subgraph, resolver types from its schema.graphql, with each GraphQL type mapped to the
// domain type its resolvers receive as parent. Paths in `mappers` and `contextType` are relative
// to the generated file (src/graphql/generated/).
const common = {
  federation: true,
  useTypeImports: true,
  enumsAsTypes: true,
  scalars: { DateTime: 'Date' },
  mapperTypeSuffix: 'Model',
  useIndexSignature: false,
};

const subgraph = (name, contextType, mappers) => ({
  [`subgraphs/${name}/src/graphql/generated/resolvers-types.ts`]: {
    schema: `subgraphs/${name}/schema.graphql`,
    plugins: ['typescript', 'typescript-resolvers'],
    config: { ...common, contextType, mappers },
  },
});

const domain = (file, type) => `../../domain/${file}.js#${type}`;

export const codegenConfig = {
  generates: {
    ...subgraph('library', '../context.js#LibraryContext', {
      Track: domain('model', 'Track'),
      Album: domain('model', 'Album'),
      Artist: domain('model', 'Artist'),
      Image: domain('model', 'Image'),
      Lyrics: domain('lyrics', 'Lyrics'),
      Genre: domain('library.service', 'GenreCount'),
    }),
    ...subgraph('resource', '../context.js#ResourceContext', {
      User: domain('user', 'User'),
      Plan: domain('user', 'Plan'),
      Playlist: domain('playlist', 'PlaylistView'),
      PlaylistItem: domain('playlist', 'PositionedItem'),
      ApiKey: domain('api-key', 'ApiKey'),
      ApiKeySecret: domain('api-key', 'IssuedApiKey'),
      Session: domain('session', 'IssuedSession'),
      Track: domain('ids', 'EntityRef'),
    }),
    ...subgraph('stream', '../context.js#StreamContext', {
      PlaybackTicket: domain('playback.service', 'IssuedTicket'),
      PlaybackQuota: domain('playback.service', 'PlaybackQuota'),
      PlayRecord: domain('ticket', 'PlayRecord'),
      Track: domain('ticket', 'EntityRef'),
      User: domain('ticket', 'EntityRef'),
    }),
  },
};
