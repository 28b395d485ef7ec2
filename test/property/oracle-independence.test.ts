import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');

/** Every module `entry` imports, directly or not (static and dynamic imports, `import type` included): relative ones as repo paths, packages by name. */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const { fileName: specifier } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else packages.add(specifier);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('the oracle is independent of what it checks', () => {
  it("imports nothing of skyloom's library or runners: only the program's own meaning (program, arith, values), node:crypto and pure-rand", () => {
    const { files, packages } = importGraph(resolve(here, 'oracle/oracle.ts'));
    const paths = [...files].map((file) => relative(repo, file)).sort();
    expect(paths.filter((path) => !path.startsWith('test/property/'))).toEqual([]);
    expect(paths).toEqual(
      ['oracle/group.ts', 'oracle/member.ts', 'oracle/oracle-random.ts', 'oracle/oracle.ts', 'oracle/prediction.ts', 'program.ts', 'arith.ts', 'values.ts']
        .map((path) => `test/property/${path}`)
        .sort(),
    );
    expect([...packages].sort()).toEqual(['node:crypto', 'pure-rand']);
  });
});
