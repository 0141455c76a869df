import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import json from '@eslint/json';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { DOMAIN_FORBIDDEN } from '../../domain-imports.js';
import workspace from '../../workspace-dependencies.js';

// A throwaway workspace on disk: the rules read package.json and src/ from the file system.
const dir = mkdtempSync(join(tmpdir(), 'ytm-eslint-rules-'));
const manifest = {
  name: '@ytm/sample',
  dependencies: { koa: '^3.0.0', mongoose: '^8.0.0', 'left-pad': '^1.0.0' },
  devDependencies: { '@types/koa': '^2.0.0', vitest: '^3.0.0' },
};
writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
mkdirSync(join(dir, 'src', 'domain'), { recursive: true });
writeFileSync(join(dir, 'src', 'app.ts'), "import Koa from 'koa';\nimport type { Context } from '@types/koa';\n");
writeFileSync(join(dir, 'src', 'store.ts'), "export const load = () => import('mongoose');\n");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const linter = new Linter({ configType: 'flat', cwd: dir });
const lintTs = (code: string, file: string) =>
  linter.verify(
    code,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: { workspace },
        rules: { 'workspace/declared-dependencies': 'error' },
      },
      // As in eslint.config.js: the import restrictions hold under src/domain/ only.
      { files: ['**/src/domain/**/*.ts'], rules: { 'no-restricted-imports': ['error', DOMAIN_FORBIDDEN] } },
    ],
    { filename: join(dir, file) },
  );
const lintManifest = (text: string) =>
  linter.verify(
    text,
    [{ files: ['**/package.json'], plugins: { json, workspace }, language: 'json/json', rules: { 'workspace/no-unused-dependencies': 'error' } }],
    { filename: join(dir, 'package.json') },
  );

describe('workspace/declared-dependencies', () => {
  it('accepts declared packages, the workspace itself, relative paths and node builtins', () => {
    const code =
      "import Koa from 'koa';\nimport { x } from '@ytm/sample/sub';\nimport { y } from './y.js';\nimport fs from 'node:fs';\nimport path from 'path';\n";
    expect(lintTs(code, 'src/app.ts')).toEqual([]);
  });

  it('refuses an undeclared package, in every import form', () => {
    const code = "import a from 'axios';\nexport * from '@scope/pkg/deep';\nexport { b } from 'lodash';\nconst c = import('chalk');\n";
    const messages = lintTs(code, 'src/app.ts');
    expect(messages.map((m) => m.message)).toEqual([
      expect.stringContaining("'axios' is imported but not declared"),
      expect.stringContaining("'@scope/pkg' is imported but not declared"),
      expect.stringContaining("'lodash' is imported but not declared"),
      expect.stringContaining("'chalk' is imported but not declared"),
    ]);
  });

  it('lets type-only imports use devDependencies, and refuses run-time imports of them', () => {
    expect(lintTs("import type { Mock } from 'vitest';\n", 'src/app.ts')).toEqual([]);
    expect(lintTs("import { vi } from 'vitest';\n", 'src/app.ts').map((m) => m.message)).toEqual([expect.stringContaining("'vitest' is only a devDependency")]);
  });
});

describe('no-restricted-imports in domain/', () => {
  it('refuses drivers, transports and outer layers, and accepts domain and pure packages', () => {
    const bad = [
      "import mongoose from 'mongoose';",
      "import { Kafka } from 'kafkajs';",
      "import * as grpc from '@grpc/grpc-js';",
      "import { createApp } from '@ytm/http';",
      "import { Repo } from '../persistence/repo.js';",
      "import { resolvers } from '../graphql/resolvers/index.js';",
    ];
    for (const line of bad) {
      expect(lintTs(`${line}\n`, 'src/domain/rule.ts').filter((m) => m.ruleId === 'no-restricted-imports')).toHaveLength(1);
    }
    const good = "import { x } from './other.js';\nimport { NotFoundError } from '@ytm/errors';\nimport { randomUUID } from 'node:crypto';\n";
    expect(lintTs(good, 'src/domain/rule.ts').filter((m) => m.ruleId === 'no-restricted-imports')).toEqual([]);
  });

  it('leaves the outer layers free to import drivers', () => {
    expect(lintTs("import mongoose from 'mongoose';\n", 'src/store.ts')).toEqual([]);
  });
});

describe('workspace/no-unused-dependencies', () => {
  it('reports each dependency nothing under src/ imports (static or dynamic), and only those', () => {
    const messages = lintManifest(JSON.stringify(manifest, null, 2));
    expect(messages.map((m) => m.message)).toEqual(["'left-pad' is a dependency, but nothing under src/ imports it."]);
  });
});
