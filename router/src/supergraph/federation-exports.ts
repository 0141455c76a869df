import { createRequire } from 'node:module';

/**
 * `@apollo/federation-internals` re-exports its modules the way TypeScript compiles `export *` to
 * CommonJS: one getter per name on the package's exports. The gateway's result shaping reads a
 * dozen of them for every value of every answer (`federation_internals_1.isListType(…)`), and in
 * the router's CPU profile those getters alone were 6–7 % of its time under the `tracks` load.
 *
 * Imported first by the composition root, before `@apollo/gateway` loads, this puts a snapshot of
 * the package's exports (the same functions, classes and objects, as plain properties) in
 * Node's module cache, so the gateway, the query planner and every later `require` read data
 * properties. The package assigns its exports once, while it loads; nothing reassigns them later.
 * Modules that required the package before keep reading it through the getters.
 *
 * Returns whether the snapshot is in place.
 */
export function flattenFederationExports(): boolean {
  const require = createRequire(import.meta.url);
  const fromGateway = createRequire(require.resolve('@apollo/gateway'));
  const id = fromGateway.resolve('@apollo/federation-internals');
  fromGateway(id);
  const cached = require.cache[id];
  if (!cached) return false;
  const original = cached.exports as Record<string, unknown>;
  if (Object.getOwnPropertyDescriptor(original, 'isListType')?.value) return true;
  const snapshot: Record<string, unknown> = { ...original };
  Object.defineProperty(snapshot, '__esModule', { value: true });
  cached.exports = snapshot;
  return true;
}

flattenFederationExports();
