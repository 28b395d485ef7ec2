import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// Contract 3: lifetimes never depend on the garbage collector. The only finalization left is verify
// mode's leak detector, which reports and frees nothing; no store forces a collection.
const root = new URL('../../../', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(root, dir, name);
    return statSync(path).isDirectory() ? sources(relative(root, path)) : /\.(ts|mjs)$/.test(name) ? [relative(root, path)] : [];
  });
}

const code = [...sources('lib'), ...sources('runners')].map((file) => ({ file, text: readFileSync(join(root, file), 'utf8') }));

describe('lifetimes without the garbage collector', () => {
  it('uses a FinalizationRegistry only in the leak detector, and a forced collection only in the retention check', () => {
    expect(code.filter((f) => /new FinalizationRegistry/.test(f.text)).map((f) => f.file)).toEqual(['lib/memory/leak-detector.ts']);
    expect(code.filter((f) => /forceGc\(\)/.test(f.text) && !f.file.endsWith('force-gc.ts')).map((f) => f.file)).toEqual(['lib/memory/retention-check.ts']);
  });

  it('sets no V8 flag and tunes no allocator when skyloom is imported or run', () => {
    expect(code.filter((f) => /setFlagsFromString/.test(f.text)).map((f) => f.file)).toEqual([]);
    expect(code.filter((f) => /\btuneMalloc\(\)/.test(f.text) && !f.file.endsWith('malloc-tuning.ts')).map((f) => f.file)).toEqual([]);
  });
});
