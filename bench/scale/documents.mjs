// The GraphQL documents the web app sends, taken from its source: every `graphql(\`…\`)` in
// web/src, each operation with the fragments it spreads (transitively), formatted the way the
// app's urql client sends them (`formatDocument` adds the `__typename`s Graphcache asks for).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDocument, stringifyDocument } from '@urql/core';
import { Kind, parse, visit } from 'graphql';

function sources(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (/\.(ts|tsx)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** Operation name → the query string the app sends (operation + fragments), for every operation in `webSrc`. */
export function webDocuments(webSrc) {
  const fragments = new Map();
  const operations = new Map();
  for (const file of sources(webSrc)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/graphql\(\s*`([^`]*)`/g)) {
      for (const def of parse(m[1]).definitions) {
        if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
        else if (def.kind === Kind.OPERATION_DEFINITION && def.name) operations.set(def.name.value, { def, file: file.slice(webSrc.length + 1) });
      }
    }
  }
  const spreads = (node) => {
    const names = new Set();
    visit(node, { FragmentSpread: (s) => void names.add(s.name.value) });
    return names;
  };
  const out = new Map();
  for (const [name, { def, file }] of operations) {
    if (def.operation !== 'query') continue;
    const needed = new Map();
    const todo = [...spreads(def)];
    while (todo.length) {
      const f = todo.pop();
      if (needed.has(f)) continue;
      const frag = fragments.get(f);
      if (!frag) throw new Error(`${name} (${file}) spreads unknown fragment ${f}`);
      needed.set(f, frag);
      todo.push(...spreads(frag));
    }
    const doc = formatDocument({ kind: Kind.DOCUMENT, definitions: [def, ...needed.values()] });
    out.set(name, { query: stringifyDocument(doc), file });
  }
  return out;
}
