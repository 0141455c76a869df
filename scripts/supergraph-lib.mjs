// Shared by compose.mjs and check-schema.mjs: read supergraph.yaml, compose, derive the API schema.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { Supergraph } from '@apollo/federation-internals';
import { parse } from 'graphql';
import YAML from 'yaml';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const supergraphPath = resolve(root, 'supergraph.graphql');

export function composeFromConfig(configPath = resolve(root, 'supergraph.yaml')) {
  const config = YAML.parse(readFileSync(configPath, 'utf8'));
  const services = Object.entries(config.subgraphs ?? {}).map(([name, s]) => {
    const file = resolve(dirname(configPath), s.schema.file);
    return { name, url: s.routing_url, typeDefs: parse(readFileSync(file, 'utf8')) };
  });
  const result = composeServices(services);
  if (result.errors?.length) return { errors: result.errors.map((e) => e.message) };
  return { supergraphSdl: result.supergraphSdl, hints: (result.hints ?? []).map((h) => h.toString()) };
}

/** The schema clients see (federation machinery removed), as a graphql-js schema. */
export function apiSchemaOf(supergraphSdl) {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}
