import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { buildOperationContext } from '@apollo/gateway';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';
import { GraphQLObjectType, GraphQLString, GraphQLNonNull, GraphQLList, parse, type OperationDefinitionNode } from 'graphql';
import { MAX_REMEMBERED_QUERY_LENGTH } from '../../src/limits/remembered-documents.js';
import { DirectFetches } from '../../src/supergraph/direct-fetch.js';
import { directPlanOf, mergeInto, objectsAt, project, RESHAPE, shapeOf } from '../../src/supergraph/direct-plan.js';

// The committed supergraph and the gateway's own planner: the plans are the ones the router runs.
const supergraph = Supergraph.build(readFileSync(new URL('../../../supergraph.graphql', import.meta.url), 'utf8'));
const apiSchema = supergraph.apiSchema();
const schema = apiSchema.toGraphQLJSSchema();
const planner = new QueryPlanner(supergraph);

function decide(query: string, operationName?: string) {
  const document = parse(query);
  const queryPlan = planner.buildQueryPlan(operationFromDocument(apiSchema, document, { operationName }));
  return directPlanOf(queryPlan, buildOperationContext({ schema, operationDocument: document, operationName }));
}

const TRACK = 'id title duration album { id title } artists { id name }';

const passedOn = (query: string) => decide(query)?.passThrough;

describe('directPlanOf', () => {
  it("passes on the data of one fetch that selects exactly the client's fields", () => {
    expect(decide('{ me { id displayName email } }')).toMatchObject({
      root: { serviceName: 'resource', operation: expect.stringContaining('me{id displayName email}'), operationName: undefined, variableUsages: [] },
      groups: [],
      passThrough: true,
      variableDefinitions: [],
    });
    const tracks = decide(`query Page($n: Int!) { tracks(first: $n) { edges { node { ${TRACK} } } } }`, 'Page');
    expect(tracks).toMatchObject({ root: { serviceName: 'library', variableUsages: ['n'] }, passThrough: true });
    expect(tracks!.variableDefinitions.map((d) => d.variable.name.value)).toEqual(['n']);
    expect(
      passedOn('query($n: Int!) { tracks(first: $n) { edges { node { id album { id artist { id albums(first: 5) { edges { node { id title } } } } } } } } }'),
    ).toBe(true);
    expect(passedOn('{ a: me { id } b: me { displayName } me { id } me { email } }')).toBe(true);
    expect(passedOn('query { me { ...U } } fragment U on User { id ... on User { email } }')).toBe(true);
    expect(passedOn('{ me { __typename id } }')).toBe(true);
    expect(passedOn('mutation($n: String!) { updateProfile(displayName: $n) { id displayName } }')).toBe(true);
  });

  it('reshapes one fetch whose selection the planner changed (here: __typename moved first)', () => {
    expect(decide('{ me { id __typename } }')).toMatchObject({ groups: [], passThrough: false });
  });

  it('runs a root fetch followed by entity fetches keyed by leaf fields', () => {
    const liked = decide(`query($n: Int!) { tracks(first: $n) { edges { node { ${TRACK} liked } } } }`);
    expect(liked).toMatchObject({
      root: { serviceName: 'library', operation: expect.stringContaining('__typename id'), variableUsages: ['n'] },
      groups: [
        [
          {
            serviceName: 'resource',
            path: ['tracks', 'edges', '@', 'node'],
            typename: 'Track',
            keyFields: ['id'],
            operation: expect.stringContaining('_entities'),
          },
        ],
      ],
      passThrough: false,
    });
    expect(liked!.shape.map((f) => f.key)).toEqual(['tracks']);
  });

  it('keeps mutations that need a second subgraph, and plans of other forms, on the gateway path', () => {
    const likeTrack = 'mutation($t: ID!) { likeTrack(trackId: $t) { id title liked } }';
    expect(planner.buildQueryPlan(operationFromDocument(apiSchema, parse(likeTrack))).node?.kind).toBe('Sequence');
    expect(decide(likeTrack)).toBeUndefined();
    // Two root fetches at once (Parallel): not a root fetch followed by entity fetches.
    expect(decide('{ me { id } tracks(first: 1) { totalCount } }')).toBeUndefined();
  });

  it('keeps what the gateway would reshape on its path', () => {
    // Conditions, introspection, a variable default the fetch might not carry as declared.
    expect(decide('query($x: Boolean!) { me { id email @include(if: $x) } }')).toBeUndefined();
    expect(decide('query($x: Boolean!) { me @skip(if: $x) { id } }')).toBeUndefined();
    expect(decide('{ me { id } __schema { queryType { name } } }')).toBeUndefined();
    expect(decide('{ me { id } __type(name: "User") { name } }')).toBeUndefined();
  });

  it('keeps subscriptions and introspection-only queries on the gateway path', () => {
    expect(decide('subscription { playlistChanged(id: "p") { kind playlistId } }')).toBeUndefined();
    expect(decide('{ __typename }')).toBeUndefined();
  });

  it('passes a variable on only as the client declared it', () => {
    const direct = decide('query($n: Int = 7, $unused: String) { tracks(first: $n) { totalCount } }');
    expect(direct?.root.variableUsages).toEqual(['n']);
    expect(direct?.root.operation).toContain('$n:Int=7');
  });
});

describe('reading the answer from merged data', () => {
  const Album: GraphQLObjectType = new GraphQLObjectType({
    name: 'Album',
    fields: { id: { type: new GraphQLNonNull(GraphQLString) }, title: { type: GraphQLString } },
  });
  const Track = new GraphQLObjectType({
    name: 'Track',
    fields: {
      id: { type: new GraphQLNonNull(GraphQLString) },
      title: { type: GraphQLString },
      album: { type: Album },
      tags: { type: new GraphQLList(new GraphQLNonNull(GraphQLString)) },
    },
  });
  const Query = new GraphQLObjectType({ name: 'Query', fields: { tracks: { type: new GraphQLNonNull(new GraphQLList(Track)) } } });
  const shape = (q: string) => shapeOf(Query, [(parse(q).definitions[0] as OperationDefinitionNode).selectionSet], {})!;

  it("answers in the client's order, without what the planner added, __typename from the type", () => {
    const data = { tracks: [{ __typename: 'Track', title: 'B', id: '2', album: { id: 'a', title: 'X', extra: 1 } }, null] };
    expect(JSON.stringify(project(data, shape('{ tracks { id t: __typename title album { title } } }')))).toBe(
      JSON.stringify({ tracks: [{ id: '2', t: 'Track', title: 'B', album: { title: 'X' } }, null] }),
    );
  });

  it('leaves to the gateway a value that is missing, or null where the schema says non-null', () => {
    expect(project({ tracks: [{ title: 'B' }] }, shape('{ tracks { id title } }'))).toBe(RESHAPE);
    expect(project({ tracks: [{ id: null }] }, shape('{ tracks { id } }'))).toBe(RESHAPE);
    expect(project({ tracks: null }, shape('{ tracks { id } }'))).toBe(RESHAPE);
    expect(project({ tracks: [{ tags: ['a', null] }] }, shape('{ tracks { tags } }'))).toBe(RESHAPE);
    expect(project({ tracks: [{ album: 'not an object' }] }, shape('{ tracks { album { id } } }'))).toBe(RESHAPE);
    expect(project({ tracks: [{ tags: null, album: null }] }, shape('{ tracks { tags album { id } } }'))).toEqual({ tracks: [{ tags: null, album: null }] });
  });

  it('finds the objects at a path through lists, skipping nulls; undefined when the data has another form', () => {
    const data = { tracks: { edges: [{ node: { id: 1 } }, { node: null }, null, { node: { id: 3 } }] } };
    expect(objectsAt(data, ['tracks', 'edges', '@', 'node'])).toEqual([{ id: 1 }, { id: 3 }]);
    expect(objectsAt({ tracks: null }, ['tracks', 'edges', '@', 'node'])).toEqual([]);
    expect(objectsAt(data, ['tracks', 'edges', 'node'])).toBeUndefined();
    expect(objectsAt({ tracks: {} }, ['tracks', 'edges', '@', 'node'])).toBeUndefined();
  });

  it('merges entity answers as the gateway does: objects key by key, lists of equal length element by element', () => {
    const target = { id: 1, album: { id: 'a' }, list: [{ a: 1 }, 2] };
    mergeInto(target, { liked: true, album: { title: 'T' }, list: [{ b: 2 }, 3], skipped: undefined });
    expect(target).toEqual({ id: 1, album: { id: 'a', title: 'T' }, list: [{ a: 1, b: 2 }, 3], liked: true });
  });
});

describe('DirectFetches', () => {
  type Executor = Parameters<DirectFetches['wrap']>[0];
  type Service = Parameters<DirectFetches['learn']>[0]['serviceMap'][string];
  const query = '{ me { id displayName } }';
  const document = parse(query);
  const operationContext = buildOperationContext({ schema, operationDocument: document });
  const queryPlan = planner.buildQueryPlan(operationFromDocument(apiSchema, document));
  /** A data source answering `answer` and recording what it was sent (no network: a unit test of the class). */
  const service = (answer: () => Promise<unknown>) => {
    const sent: unknown[] = [];
    const source = { process: (options: { request: unknown }) => (sent.push(options.request), answer()) } as unknown as Service;
    return { source, sent };
  };
  const requestFor = (against = schema) =>
    ({
      request: { query },
      source: query,
      document,
      operation: document.definitions[0],
      queryHash: 'hash-1',
      schema: against,
      context: {},
    }) as unknown as Parameters<Executor>[0];
  const setUp = (answer: () => Promise<unknown>, sdl = 'type Query { me: User }') => {
    const direct = new DirectFetches(() => true);
    direct.schemaChanged(schema, sdl);
    const resource = service(answer);
    const gatewayCalls: unknown[] = [];
    const executor = direct.wrap(async (rc) => (gatewayCalls.push((rc.context as { prefetched?: unknown }).prefetched), { data: { fromGateway: true } }));
    const learn = (rc = requestFor()) => direct.learn({ queryPlan, serviceMap: { resource: resource.source }, operationContext, requestContext: rc });
    return { direct, resource, gatewayCalls, executor, learn };
  };

  it('answers an operation itself once the gateway has run it, with the fetch the gateway would send', async () => {
    const t = setUp(async () => ({ data: { me: { id: 'u1', displayName: 'Ann' } } }));
    expect(await t.executor(requestFor())).toEqual({ data: { fromGateway: true } });
    t.learn();
    expect(await t.executor(requestFor())).toEqual({ data: { me: { id: 'u1', displayName: 'Ann' } } });
    expect(t.gatewayCalls).toHaveLength(1);
    expect(t.resource.sent).toEqual([{ query: '{me{id displayName}}', variables: {}, operationName: undefined }]);
  });

  it('forgets what it learnt when the supergraph changes; a request planned against another schema goes to the gateway', async () => {
    const t = setUp(async () => ({ data: { me: { id: 'u1', displayName: 'Ann' } } }));
    t.learn();
    const other = buildOperationContext({ schema: apiSchema.toGraphQLJSSchema(), operationDocument: document }).schema;
    expect(await t.executor(requestFor(other))).toEqual({ data: { fromGateway: true } });
    t.direct.schemaChanged(other, 'type Query { me: User }');
    expect(await t.executor(requestFor(other))).toEqual({ data: { fromGateway: true } });
    expect(t.resource.sent).toHaveLength(0);
  });

  it('learns nothing from a supergraph that hides types or values (@inaccessible)', async () => {
    const t = setUp(async () => ({ data: { me: { id: 'u1', displayName: 'Ann' } } }), 'type Query { me: User secret: String @inaccessible }');
    t.learn();
    expect(await t.executor(requestFor())).toEqual({ data: { fromGateway: true } });
    expect(t.resource.sent).toHaveLength(0);
  });

  it("leaves every request to the gateway while a subgraph's instances registered different schemas, and answers again once they agree", async () => {
    // The older instance still answers a null where the newest schema (the supergraph's) says non-null: only the gateway's shaping catches it.
    const t = setUp(async () => ({ data: { me: { id: 'u1', displayName: 'Ann' } } }));
    t.learn();
    t.direct.instancesAgree(false);
    expect(await t.executor(requestFor())).toEqual({ data: { fromGateway: true } });
    t.learn();
    expect(await t.executor(requestFor())).toEqual({ data: { fromGateway: true } });
    expect(t.resource.sent).toHaveLength(0);
    t.direct.instancesAgree(true);
    expect(await t.executor(requestFor())).toEqual({ data: { me: { id: 'u1', displayName: 'Ann' } } });
  });

  it('hands an answer with errors, or a failed fetch, to the gateway with the fetch made', async () => {
    const withErrors = { errors: [{ message: 'nope' }], data: null };
    const t = setUp(async () => withErrors);
    t.learn();
    expect(await t.executor(requestFor())).toEqual({ data: { fromGateway: true } });
    expect(t.gatewayCalls).toEqual([[{ operation: '{me{id displayName}}', variables: '{}', outcome: { response: withErrors } }]]);

    const failure = new Error('connection refused');
    const f = setUp(() => Promise.reject(failure));
    f.learn();
    await f.executor(requestFor());
    expect(f.gatewayCalls).toEqual([[{ operation: '{me{id displayName}}', variables: '{}', outcome: { error: failure } }]]);
  });

  it('remembers nothing of a document whose text is longer than MAX_REMEMBERED_QUERY_LENGTH: it stays on the gateway path', async () => {
    const t = setUp(async () => ({ data: { me: { id: 'u1', displayName: 'Ann' } } }));
    // The same operation padded with whitespace and a comment (no tokens): planned alike, answered by the gateway every time.
    const padded = `${query}\n# ${'x'.repeat(MAX_REMEMBERED_QUERY_LENGTH)}\n`;
    const paddedRequest = () =>
      ({ ...requestFor(), request: { query: padded }, source: padded, queryHash: 'hash-padded' }) as unknown as Parameters<Executor>[0];
    t.learn(paddedRequest());
    expect(await t.executor(paddedRequest())).toEqual({ data: { fromGateway: true } });
    expect(await t.executor(paddedRequest())).toEqual({ data: { fromGateway: true } });
    expect(t.resource.sent).toHaveLength(0);
    // A text at the bound is still remembered.
    const atBound = query.padEnd(MAX_REMEMBERED_QUERY_LENGTH, ' ');
    const boundRequest = () =>
      ({ ...requestFor(), request: { query: atBound }, source: atBound, queryHash: 'hash-bound' }) as unknown as Parameters<Executor>[0];
    t.learn(boundRequest());
    expect(await t.executor(boundRequest())).toEqual({ data: { me: { id: 'u1', displayName: 'Ann' } } });
  });

  it('answers a request naming an operation the document does not have as graphql-js does (the gateway is not called)', async () => {
    const t = setUp(async () => ({ data: { me: { id: 'u1', displayName: 'Ann' } } }));
    const unnamed = { ...requestFor(), operation: undefined, request: { query, operationName: 'Other' } } as unknown as Parameters<Executor>[0];
    const answer = await t.executor(unnamed);
    expect(answer.errors?.map((e) => e.message)).toEqual(['Unknown operation named "Other".']);
    expect(t.gatewayCalls).toHaveLength(0);
  });
});
