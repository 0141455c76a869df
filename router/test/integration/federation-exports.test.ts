import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// In a process of its own (Node's module cache, not jest's): the router's composition root as
// built (`tsc -b` runs before the tiers), then what the gateway gets when it requires the package.
const composition = new URL('../../dist/composition.js', import.meta.url).pathname;
const script = `
  import { createRequire } from 'node:module';
  import { dirname, join } from 'node:path';
  await import(${JSON.stringify(composition)});
  const fromGateway = createRequire(createRequire(${JSON.stringify(composition)}).resolve('@apollo/gateway'));
  const id = fromGateway.resolve('@apollo/federation-internals');
  const seen = fromGateway('@apollo/federation-internals');
  const definitions = fromGateway(join(dirname(id), 'definitions.js'));
  const operations = fromGateway(join(dirname(id), 'operations.js'));
  const getters = Object.keys(seen).filter((k) => typeof Object.getOwnPropertyDescriptor(seen, k).get === 'function');
  process.stdout.write(JSON.stringify({
    names: Object.keys(seen).length,
    getters: getters.length,
    esModule: seen.__esModule === true,
    sameIsListType: seen.isListType === definitions.isListType,
    sameOperationFromDocument: seen.operationFromDocument === operations.operationFromDocument,
    gatewaySees: fromGateway('@apollo/gateway') && fromGateway('@apollo/federation-internals') === seen,
  }));
`;

describe("the router's view of @apollo/federation-internals", () => {
  it('has the same exports as plain properties once the composition root is loaded', () => {
    expect(existsSync(composition)).toBe(true);
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as Record<string, unknown>;
    expect(out).toEqual({ names: expect.any(Number), getters: 0, esModule: true, sameIsListType: true, sameOperationFromDocument: true, gatewaySees: true });
    expect(out.names).toBeGreaterThan(100);
  });
});
