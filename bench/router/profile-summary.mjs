// Reads a V8 CPU profile (`node --cpu-prof`, e.g. bench/router's PROFILE=<dir>) and prints where
// the time went: self time by module (package, node internals, the service's own code) and by
// function, as shares of the sampled time, idle and GC included.
// Run: node bench/router/profile-summary.mjs <file.cpuprofile> [top=25]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i + 1] ?? 0;
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

/** The module a frame belongs to: an npm package, a workspace's dist, node's internals, or V8's pseudo-frames. */
function moduleOf(url, name) {
  if (!url) return `(${name.replace(/[()]/g, '')})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] === 'internal' ? url.slice(5).split('/').slice(1, 3).join('/') : url.slice(5)}`;
  const ws = /\/(router|packages\/[^/]+|subgraphs\/[^/]+)\/dist\//.exec(url);
  return ws ? ws[1] : url;
}

const byModule = new Map();
const byFunction = new Map();
for (const [id, t] of self) {
  const { callFrame: f } = nodes.get(id);
  const mod = moduleOf(f.url, f.functionName || '(anonymous)');
  byModule.set(mod, (byModule.get(mod) ?? 0) + t);
  const fn = `${f.functionName || '(anonymous)'} ${f.url ? `${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(router|packages|subgraphs)\//, '$1/')}:${f.lineNumber + 1}` : ''}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + t);
}
const pct = (t) => `${((100 * t) / total).toFixed(1).padStart(5)} %`;
const print = (title, map) => {
  console.log(`\n${title}`);
  for (const [k, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(t)}  ${k}`);
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
print('self time by module', byModule);
print('self time by function', byFunction);

// Inclusive time (a frame and everything it called) of the functions, each counted once per stack.
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inclusive = new Map();
const callers = new Map();
const match = process.env.CALLERS;
for (const [id, t] of self) {
  const seen = new Set();
  const chain = [];
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const f = nodes.get(cur).callFrame;
    const key = `${f.functionName || '(anonymous)'} ${moduleOf(f.url, f.functionName || '(anonymous)')}`;
    chain.push(key);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + t);
  }
  if (match) {
    const at = chain.findIndex((k) => k.includes(match));
    if (at >= 0) {
      const path = chain.slice(at, at + Number(process.env.DEPTH ?? 6)).join(' < ');
      callers.set(path, (callers.get(path) ?? 0) + t);
    }
  }
}
print('inclusive time by function', inclusive);
if (match) print(`stacks under "${match}"`, callers);
