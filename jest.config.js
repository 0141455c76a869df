// Three tiers: unit (fakes only, fast), integration (real FerretDB + Kafka), e2e (every process spawned).
// `tsc -b` type-checks; jest only transpiles with swc.
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
};
const common = {
  transform,
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
};
const roots = '<rootDir>/{packages/*,subgraphs/*,router,subsonic}';
export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: [`${roots}/test/unit/**/*.test.ts`, '<rootDir>/eslint-rules/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: [`${roots}/test/integration/**/*.test.ts`, '<rootDir>/infra/test/integration/**/*.test.ts'],
      testTimeout: 60_000,
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'], testTimeout: 120_000 },
    // docker-compose.yml under podman: only through `npm run test:compose`, which builds and starts the stack.
    { ...common, displayName: 'compose', testMatch: ['<rootDir>/test/compose/**/*.test.ts'], testTimeout: 300_000 },
  ],
};
