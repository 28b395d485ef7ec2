import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const readme = readFileSync('README.md', 'utf8');

/** The ```ts block that follows the line naming `file` in the README. */
function block(file: string): string {
  const m = new RegExp('`' + file.replace('.', '\\.') + '`[^\\n]*\\n+```ts\\n([\\s\\S]*?)```').exec(readme);
  if (!m?.[1]) throw new Error(`README has no ts block after ${file}`);
  return m[1];
}

// Inside the repository, so `import 'skyloom'` resolves to this package by self-reference.
const dir = mkdtempSync(join(process.cwd(), 'test', '.readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the README', () => {
  it('opens with the two set-up commands: the main job and the tests', () => {
    const first = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(first).toMatch(/^npm ci && npm start\b/m);
    expect(first).toMatch(/^npm ci && npm test\b/m);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toContain('cli/bin.mjs run');
    expect(pkg.scripts.test).toBe('vitest run');
  });

  it('has a complete small algorithm that gives the same result on each runner', () => {
    writeFileSync(join(dir, 'visit.ts'), block('visit.ts'));
    writeFileSync(join(dir, 'main.ts'), block('main.ts'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['inline', 'laptop', 'cluster']);
    const values = lines.map((l) => l.split(' ')[1]);
    expect(Number.isFinite(Number(values[0]))).toBe(true);
    expect(new Set(values).size).toBe(1);
    // The README's other way: `skyloom exec main.ts`, compiled, prints the same output.
    const exec = spawnSync(process.execPath, [join(process.cwd(), 'cli', 'bin.mjs'), 'exec', 'main.ts'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(exec.status, exec.stderr).toBe(0);
    expect(exec.stdout.trim().split('\n').map((l) => l.split(' ').slice(0, 2).join(' '))).toStrictEqual(lines.map((l) => l.split(' ').slice(0, 2).join(' ')));
  });
});
