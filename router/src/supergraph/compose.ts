import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

export interface SubgraphSdl {
  name: string;
  url: string;
  sdl: string;
}

export type ComposeResult = { ok: true; supergraphSdl: string } | { ok: false; errors: string[] };

/** Composes a supergraph with @apollo/composition (the library rover uses). */
export function compose(subgraphs: SubgraphSdl[]): ComposeResult {
  try {
    const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
    if (result.errors && result.errors.length > 0) return { ok: false, errors: result.errors.map((e) => e.message) };
    if (!result.supergraphSdl) return { ok: false, errors: ['composition produced no supergraph'] };
    return { ok: true, supergraphSdl: result.supergraphSdl };
  } catch (err) {
    return { ok: false, errors: [(err as Error).message] };
  }
}
