import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { buildOperationContext } from '@apollo/gateway';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';
import { parse } from 'graphql';
import { directFetchOf } from '../../src/supergraph/direct-fetch.js';

// The committed supergraph and the gateway's own planner: the plans are the ones the router runs.
const supergraph = Supergraph.build(readFileSync(new URL('../../../supergraph.graphql', import.meta.url), 'utf8'));
const apiSchema = supergraph.apiSchema();
const schema = apiSchema.toGraphQLJSSchema();
const planner = new QueryPlanner(supergraph);

function decide(query: string, operationName?: string) {
  const document = parse(query);
  const queryPlan = planner.buildQueryPlan(operationFromDocument(apiSchema, document, { operationName }));
  return directFetchOf(queryPlan, buildOperationContext({ schema, operationDocument: document, operationName }));
}

const TRACK = 'id title duration album { id title } artists { id name }';

describe('directFetchOf', () => {
  it('takes one-subgraph queries whose fetch selects what the client selected', () => {
    expect(decide('{ me { id displayName email } }')).toEqual({
      serviceName: 'resource',
      operation: expect.stringContaining('me{id displayName email}'),
      operationName: undefined,
      variableUsages: [],
      variableDefinitions: [],
    });
    const tracks = decide(`query Page($n: Int!) { tracks(first: $n) { edges { node { ${TRACK} } } } }`, 'Page');
    expect(tracks).toMatchObject({ serviceName: 'library', variableUsages: ['n'] });
    expect(tracks!.variableDefinitions.map((d) => d.variable.name.value)).toEqual(['n']);
    expect(
      decide('query($n: Int!) { tracks(first: $n) { edges { node { id album { id artist { id albums(first: 5) { edges { node { id title } } } } } } } } }'),
    ).toBeDefined();
  });

  it('takes aliases, repeated keys, fragments on the same type and __typename on object types', () => {
    expect(decide('{ a: me { id } b: me { displayName } me { id } me { email } }')).toBeDefined();
    expect(decide('query { me { ...U } } fragment U on User { id ... on User { email } }')).toBeDefined();
    expect(decide('{ me { __typename id } }')).toBeDefined();
    expect(decide('mutation($n: String!) { updateProfile(displayName: $n) { id displayName } }')).toMatchObject({ serviceName: 'resource' });
  });

  it('keeps plans with more than one fetch on the gateway path', () => {
    expect(decide(`query($n: Int!) { tracks(first: $n) { edges { node { ${TRACK} liked } } } }`)).toBeUndefined();
    expect(decide('{ me { id } tracks(first: 1) { totalCount } }')).toBeUndefined();
  });

  it('keeps what the gateway would reshape on its path', () => {
    // Conditions, introspection, a variable default the fetch might not carry as declared.
    expect(decide('query($x: Boolean!) { me { id email @include(if: $x) } }')).toBeUndefined();
    // The planner moves __typename first: the subgraph's answer would not be in the client's order.
    expect(decide('{ me { id __typename } }')).toBeUndefined();
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
    expect(direct?.variableUsages).toEqual(['n']);
    expect(direct?.operation).toContain('$n:Int=7');
  });
});
