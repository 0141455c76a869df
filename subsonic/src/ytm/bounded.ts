/**
 * GraphQL calls one request keeps in flight at once. Every subsonic request reaches the router
 * from this instance's address, and the router admits 64 in flight per address
 * (HTTP_CONCURRENT_PER_ADDRESS): a request fanning out over an unbounded list would use them all.
 */
export const MAX_IN_FLIGHT = 4;

/**
 * `work` for every item, at most `limit` at once; the results in the items' order. The first
 * failure rejects, and no further item is started after it.
 */
export async function mapBounded<T, R>(items: readonly T[], work: (item: T, index: number) => Promise<R>, limit = MAX_IN_FLIGHT): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await work(items[i]!, i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
