// ESLint flat config: typescript-eslint type-checked rules; promise misuse is an error because it
// matters for Kafka and gRPC callbacks.
import js from '@eslint/js';
import json from '@eslint/json';
import tseslint from 'typescript-eslint';
import { DOMAIN_FORBIDDEN } from './eslint-rules/domain-imports.js';
import workspace from './eslint-rules/workspace-dependencies.js';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'packages/proto/src/gen/**', '.ytm/**', 'coverage/**', 'web/test-results/**', 'web/playwright-report/**'] },
  { files: ['**/*.{js,mjs,cjs}', '**/src/**/*.{ts,tsx}'], ...js.configs.recommended },
  {
    files: ['**/src/**/*.ts', '**/src/**/*.tsx'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/src/domain/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', DOMAIN_FORBIDDEN] },
  },
  {
    files: ['**/src/**/*.ts', '**/src/**/*.tsx'],
    plugins: { workspace },
    rules: { 'workspace/declared-dependencies': 'error' },
  },
  {
    files: ['packages/*/package.json', 'router/package.json', 'subgraphs/*/package.json', 'subsonic/package.json', 'web/package.json'],
    plugins: { json, workspace },
    language: 'json/json',
    rules: { 'json/no-duplicate-keys': 'error', 'workspace/no-unused-dependencies': 'error' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        fetch: 'readonly',
        URL: 'readonly',
        AbortSignal: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        AbortController: 'readonly',
        performance: 'readonly',
        structuredClone: 'readonly',
      },
    },
  },
);
