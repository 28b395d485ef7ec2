// Layering check of the design brief: lib imports nothing of the project; runners import lib only;
// algorithms import lib only (never a runner). Inside lib, the coroutine model (lib/*.ts, lib/ledger)
// never imports the memory machinery (lib/memory): only the public index re-exports from it, and
// lib/memory may import the model's small shared modules (errors, refs, the Store interface). Neither
// imports the run ledger (lib/ledger), a layer around a run.
// Exits 1 and names every offending import.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const rules = {
  lib: ['runners', 'algorithms', 'cli', 'bench', 'test'],
  runners: ['algorithms', 'cli', 'bench', 'test'],
  algorithms: ['runners', 'cli', 'bench', 'test'],
};
const importRe = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const problems = [];

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(ts|mts|js|mjs)$/.test(name)) yield path;
  }
}

for (const [layer, forbidden] of Object.entries(rules)) {
  let dir;
  try { dir = join(root, layer); statSync(dir); } catch { continue; }
  for (const file of files(dir)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2];
      if (!spec.startsWith('.')) continue;
      const target = relative(root, resolve(dirname(file), spec)).split(/[\\/]/)[0];
      if (forbidden.includes(target)) problems.push(`${relative(root, file)}: imports ${spec} (${layer}/ must not import ${target}/)`);
    }
  }
}
// lib/ core → lib/memory is forbidden (the public index may re-export it). The ledger is a layer
// around a run: the core (lib/*.ts) and the memory machinery never import lib/ledger, statically or
// with import(), so a run that keeps no ledger, and every worker host, never loads it; only the
// public index and the ledger itself reach it.
for (const file of files(join(root, 'lib'))) {
  const rel = relative(root, file);
  if (rel === join('lib', 'index.ts') || rel.startsWith(join('lib', 'ledger') + '/')) continue;
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2];
    if (!spec.startsWith('.')) continue;
    const target = relative(root, resolve(dirname(file), spec));
    if (target.startsWith(join('lib', 'ledger') + '/')) problems.push(`${rel}: imports ${spec} (the core must not import lib/ledger/: the ledger wraps a run from outside)`);
    if (!rel.startsWith(join('lib', 'memory')) && target.startsWith(join('lib', 'memory') + '/')) problems.push(`${rel}: imports ${spec} (the coroutine model must not import lib/memory/)`);
  }
}
// What a run that keeps no ledger loads, and what every worker host loads: the static import graph of
// the public entries (`skyloom`, `skyloom/runners`, the algorithms) and of the cluster host's entry
// (runners/cluster/worker.mjs, with the modules it imports at start) reaches no module of lib/ledger/
// but keep-ledger.ts (which imports the rest with import() when a run keeps a ledger) and none of the
// ledger's packages. `import type` is erased by TypeScript and loads nothing, so it is not followed.
const ledgerGate = join('lib', 'ledger', 'keep-ledger.ts');
const ledgerPackages = ['better-sqlite3', 'write-file-atomic', 'picomatch', 'es-module-lexer'];
const valueImportRe = /(?:^|[;\n])\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]/g;
const dynamicImportRe = /import\(\s*['"]([^'"]+)['"]\s*\)/g;
function resolveModule(fromFile, spec) {
  const base = resolve(dirname(fromFile), spec);
  for (const candidate of [base, base.replace(/\.js$/, '.ts')]) {
    try { if (statSync(candidate).isFile()) return candidate; } catch {}
  }
  return undefined;
}
/** Files and packages the static graph from `entries` loads, each with the file that first imports it. */
function staticGraph(entries, followDynamicIn) {
  const seen = new Map(entries.map((e) => [join(root, e), '(entry)']));
  const packages = new Map();
  const pending = [...seen.keys()];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(valueImportRe)].map((m) => m[1]);
    if (followDynamicIn.includes(relative(root, file))) specs.push(...[...text.matchAll(dynamicImportRe)].map((m) => m[1]));
    for (const spec of specs) {
      if (!spec.startsWith('.')) {
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (!packages.has(name)) packages.set(name, relative(root, file));
        continue;
      }
      const target = resolveModule(file, spec);
      if (target && !seen.has(target)) {
        seen.set(target, relative(root, file));
        pending.push(target);
      }
    }
  }
  return { files: seen, packages };
}
const hostEntry = join('runners', 'cluster', 'worker.mjs');
const loaded = staticGraph([join('lib', 'index.ts'), join('runners', 'index.ts'), join('algorithms', 'index.ts'), hostEntry], [hostEntry]);
for (const [file, by] of loaded.files) {
  const rel = relative(root, file);
  if (rel.startsWith(join('lib', 'ledger') + '/') && rel !== ledgerGate) problems.push(`${by}: loads ${rel} at import (a run that keeps no ledger, and every worker host, must not load lib/ledger/: import it with import() when a ledger is needed)`);
}
for (const name of ledgerPackages) {
  if (loaded.packages.has(name)) problems.push(`${loaded.packages.get(name)}: loads the package ${name} at import (the ledger's packages load only when a run keeps a ledger)`);
}
if (problems.length) {
  console.error(`layering check failed:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('layering check: ok');
