// Local ESLint rules that keep each workspace's package.json honest:
// - `declared-dependencies` (source files): every bare import names a package the workspace
//   declares (`dependencies`, or `devDependencies` for type-only imports);
// - `no-unused-dependencies` (package.json, with @eslint/json): every entry of `dependencies` is
//   imported somewhere under the workspace's `src/`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';

const BUILTINS = new Set(builtinModules);

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`; relative, `node:` and builtins → undefined. */
export function packageName(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return BUILTINS.has(name) ? undefined : name;
}

const manifests = new Map();
/** The nearest package.json above `dir` that is not the repository root's. */
function manifestFor(dir) {
  if (manifests.has(dir)) return manifests.get(dir);
  const file = join(dir, 'package.json');
  let found;
  if (existsSync(file)) {
    const json = JSON.parse(readFileSync(file, 'utf8'));
    found = json.workspaces ? null : { file, json };
  } else {
    const parent = dirname(dir);
    found = parent === dir ? null : manifestFor(parent);
  }
  manifests.set(dir, found);
  return found;
}

/** @type {import('eslint').Rule.RuleModule} */
const declaredDependencies = {
  meta: {
    type: 'problem',
    docs: { description: "imports only packages the workspace's package.json declares" },
    schema: [],
    messages: {
      undeclared: "'{{name}}' is imported but not declared in {{manifest}}.",
      devOnly: "'{{name}}' is only a devDependency of {{manifest}}, but this file needs it at run time.",
    },
  },
  create(context) {
    const manifest = manifestFor(dirname(context.filename));
    if (!manifest) return {};
    const { json } = manifest;
    const check = (node, specifier, typeOnly) => {
      const name = typeof specifier === 'string' ? packageName(specifier) : undefined;
      if (!name || name === json.name) return;
      if (json.dependencies?.[name] || json.peerDependencies?.[name] || json.optionalDependencies?.[name]) return;
      const data = { name, manifest: manifest.file.slice(process.cwd().length + 1) };
      if (json.devDependencies?.[name]) {
        if (!typeOnly) context.report({ node, messageId: 'devOnly', data });
        return;
      }
      context.report({ node, messageId: 'undeclared', data });
    };
    return {
      ImportDeclaration: (node) =>
        check(node, node.source.value, node.importKind === 'type' || (node.specifiers.length > 0 && node.specifiers.every((s) => s.importKind === 'type'))),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value, node.exportKind === 'type'),
      ExportAllDeclaration: (node) => check(node, node.source.value, node.exportKind === 'type'),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value, false),
    };
  },
};

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;

function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|tsx|mts|js|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** @type {import('eslint').Rule.RuleModule} */
const noUnusedDependencies = {
  meta: {
    type: 'problem',
    docs: { description: "every runtime dependency is imported by the workspace's src/" },
    schema: [{ type: 'object', properties: { allow: { type: 'array', items: { type: 'string' } } }, additionalProperties: false }],
    messages: { unused: "'{{name}}' is a dependency, but nothing under src/ imports it." },
  },
  create(context) {
    const allow = new Set(context.options[0]?.allow ?? []);
    const dir = dirname(context.filename);
    return {
      Document(doc) {
        const root = doc.body;
        if (root.type !== 'Object') return;
        const deps = root.members.find((m) => m.name.value === 'dependencies');
        if (!deps || deps.value.type !== 'Object' || root.members.some((m) => m.name.value === 'workspaces')) return;
        const imported = new Set();
        for (const file of sourceFiles(join(dir, 'src'))) {
          for (const [, specifier] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
            const name = packageName(specifier);
            if (name) imported.add(name);
          }
        }
        for (const member of deps.value.members) {
          const name = member.name.value;
          if (!imported.has(name) && !allow.has(name)) context.report({ node: member, messageId: 'unused', data: { name } });
        }
      },
    };
  },
};

/** @type {import('eslint').ESLint.Plugin} */
export default {
  meta: { name: 'ytm-workspace' },
  rules: { 'declared-dependencies': declaredDependencies, 'no-unused-dependencies': noUnusedDependencies },
};
