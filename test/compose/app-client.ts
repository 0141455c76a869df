import { gql } from '../e2e/graphql-client.js';

/**
 * A GraphQL call that does what an app does with SERVICE_UNAVAILABLE: waits the `retryAfter` it
 * names and asks again (twice at most). Each retry is printed: a dependency that was briefly out of
 * reach is seen, and the test still fails if it stays so.
 */
export async function gqlAsAnApp<T = Record<string, any>>(url: string, label: string, query: string, variables: Record<string, unknown>, token?: string) {
  for (let attempt = 1; ; attempt++) {
    const r = await gql<T>(url, query, variables, token);
    const unavailable = r.errors?.length && r.errors.every((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE');
    if (!unavailable || attempt === 3) return r;
    const wait = Math.min(Number(r.errors![0]!.extensions?.retryAfter ?? 1), 5);
    console.log(`${label}: SERVICE_UNAVAILABLE (attempt ${attempt}); asking again after its retryAfter, ${wait} s`);
    await new Promise((resolve) => setTimeout(resolve, wait * 1_000));
  }
}
