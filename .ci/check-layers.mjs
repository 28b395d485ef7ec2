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
if (problems.length) {
  console.error(`layering check failed:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('layering check: ok');
