import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { compiledModuleUrl, moveIntoPlace } from '../../../lib/ts-cache/compiled-module.ts';
import { compiledBuild } from '../../../cli/launcher/compiled-build.mjs';

// Counts esbuild's transforms, so a test can tell a cache hit (none) from a miss.
const transforms = vi.hoisted(() => ({ count: 0 }));
vi.mock('esbuild', async (importOriginal) => {
  const esbuild = await importOriginal<typeof import('esbuild')>();
  return { ...esbuild, transform: (...args: Parameters<typeof esbuild.transform>) => (transforms.count++, esbuild.transform(...args)) };
});

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../..', import.meta.url));
const { NODE_OPTIONS: _, ...env } = process.env; // children run plain node: no loader from this process
const childTimeoutMs = 120_000; // a child here takes well under a second: far above that, for a loaded machine
const scratch = mkdtempSync(join(tmpdir(), 'skyloom-ts-cache-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let projects = 0;
/** A project folder with a node_modules folder (so the cache goes in it) and the given files. */
function project(files: Record<string, string>): string {
  const root = join(scratch, `project-${projects++}`);
  mkdirSync(join(root, 'node_modules'), { recursive: true });
  for (const [path, text] of Object.entries(files)) write(root, path, text);
  return root;
}
function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}
const cacheOf = (root: string) => join(root, 'node_modules', '.cache', 'skyloom', 'ts');
/** The graph folders in a project's cache. */
const graphs = (root: string) => readdirSync(cacheOf(root)).filter((name) => /^[0-9a-f]{40}$/.test(name));

/** Imports `url` in a child running plain node; returns what it printed, parsed. */
async function importInPlainNode(url: string): Promise<unknown> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(url)})`], { env, timeout: childTimeoutMs });
  return JSON.parse(stdout);
}

const program = {
  'src/main.ts': [
    "import { double, mathUrl } from './lib/math.js'; // TypeScript's spelling of ./lib/math.ts",
    "import { ping } from './cycle/a.ts';",
    "import data from '../data.json' with { type: 'json' };",
    'const n: number = double(21);',
    'console.log(JSON.stringify({ n, ping: ping(3), data, url: import.meta.url, filename: import.meta.filename, dirname: import.meta.dirname, mathUrl, algo: new URL("./algo.ts", import.meta.url).href }));',
  ].join('\n'),
  'src/lib/math.ts': 'export const double = (x: number): number => x * 2;\nexport const mathUrl: string = import.meta.url;\n',
  'src/cycle/a.ts': "import { pong } from './b';\nexport const ping = (n: number): number => (n === 0 ? 0 : pong(n - 1) + 1);\n",
  'src/cycle/b.ts': "import { ping } from './a.ts';\nexport const pong = (n: number): number => (n === 0 ? 0 : ping(n - 1) + 10);\n",
  'data.json': '{ "answer": 42 }',
};

beforeEach(() => {
  transforms.count = 0;
});

describe("the compiled-module cache for users' TypeScript", () => {
  it('compiles a module and its relative .ts imports (cycles, ./x.js spelling, no extension) so plain node runs them, import.meta meaning the sources', async () => {
    const root = project(program);
    const url = (await compiledModuleUrl(pathToFileURL(join(root, 'src/main.ts')).href))!;
    expect(url.startsWith(pathToFileURL(cacheOf(root)).href)).toBe(true);
    expect(transforms.count).toBe(4); // main, math, a, b: each once
    const source = (path: string) => pathToFileURL(join(root, path)).href;
    expect(await importInPlainNode(url)).toStrictEqual({
      n: 42,
      ping: 12, // a(3) → b(2) + 1 → a(1) + 10 + 1 → b(0) + 1 + 11
      data: { answer: 42 },
      url: source('src/main.ts'),
      filename: join(root, 'src/main.ts'),
      dirname: join(root, 'src'),
      mathUrl: source('src/lib/math.ts'),
      algo: source('src/algo.ts'),
    });
  });

  it('reuses the compiled graph while the sources are unchanged, compiles again when one changes, and finds the old graph when it changes back', async () => {
    const root = project(program);
    const entry = pathToFileURL(join(root, 'src/main.ts')).href;
    const first = await compiledModuleUrl(entry);
    expect(transforms.count).toBe(4);
    expect(await compiledModuleUrl(entry)).toBe(first);
    expect(transforms.count).toBe(4); // a hit compiles nothing
    write(root, 'src/lib/math.ts', program['src/lib/math.ts'].replace('x * 2', 'x * 3'));
    const edited = (await compiledModuleUrl(entry))!;
    expect(edited).not.toBe(first);
    expect(transforms.count).toBe(8);
    expect(await importInPlainNode(edited)).toMatchObject({ n: 63 });
    write(root, 'src/lib/math.ts', program['src/lib/math.ts']);
    expect(await compiledModuleUrl(entry)).toBe(first); // same content, same key
    expect(graphs(root)).toHaveLength(2);
  });

  it("compiles with the nearest tsconfig.json's compilerOptions and compiles again when it changes", async () => {
    // verbatimModuleSyntax keeps an import whose bindings go unused (its side effects run); without
    // it TypeScript, and esbuild, drop the import.
    const tsconfig = (verbatim: boolean) => JSON.stringify({ compilerOptions: { verbatimModuleSyntax: verbatim } });
    const root = project({
      'tsconfig.json': tsconfig(true),
      'main.ts': "import { unused } from './effect.ts';\nconsole.log(JSON.stringify({ effect: (globalThis as { effect?: boolean }).effect === true }));\n",
      'effect.ts': '(globalThis as { effect?: boolean }).effect = true;\nexport const unused = 1;\n',
    });
    const entry = pathToFileURL(join(root, 'main.ts')).href;
    expect(await importInPlainNode((await compiledModuleUrl(entry))!)).toStrictEqual({ effect: true });
    write(root, 'tsconfig.json', tsconfig(false));
    expect(await importInPlainNode((await compiledModuleUrl(entry))!)).toStrictEqual({ effect: false });
  });

  it('rejects a module with a syntax error with SKY_MODULE_SYNTAX naming the file, line and column, and a missing module with SKY_MODULE_NOT_FOUND', async () => {
    const root = project({ 'main.ts': "import './broken.ts';\n", 'broken.ts': 'export const x: number = ;\n' });
    const error = await compiledModuleUrl(pathToFileURL(join(root, 'main.ts')).href).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SkyloomTypeError', code: 'SKY_MODULE_SYNTAX', expected: 'a module that compiles (TypeScript syntax)' });
    expect((error as Error).message).toContain(`${join(root, 'broken.ts')}:1:26`);
    const missing = await compiledModuleUrl(pathToFileURL(join(root, 'absent.ts')).href).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'SKY_MODULE_NOT_FOUND' });
    expect((missing as Error).message).toContain(`got ${join(root, 'absent.ts')}, which does not exist`);
  });

  it('removes graphs no entry names once they are a day old, and keeps old ones an entry names', async () => {
    const root = project({ ...program, 'src/other.ts': 'export const other: number = 1;\n' });
    const main = pathToFileURL(join(root, 'src/main.ts')).href;
    const first = (await compiledModuleUrl(main))!;
    const [firstGraph] = graphs(root);
    write(root, 'src/lib/math.ts', program['src/lib/math.ts'].replace('x * 2', 'x * 4'));
    await compiledModuleUrl(main); // main's entry now names a second graph
    const [secondGraph] = graphs(root).filter((g) => g !== firstGraph);
    const dayAndHourAgo = (Date.now() - 25 * 3600 * 1000) / 1000;
    mkdirSync(join(cacheOf(root), '.building-1-dead')); // a builder that died
    for (const name of [firstGraph!, secondGraph!, '.building-1-dead']) utimesSync(join(cacheOf(root), name), dayAndHourAgo, dayAndHourAgo);
    await compiledModuleUrl(pathToFileURL(join(root, 'src/other.ts')).href); // another entry's compile sweeps
    expect(existsSync(fileURLToPath(first))).toBe(false);
    expect(readdirSync(cacheOf(root)).filter((n) => n.startsWith('.building-'))).toStrictEqual([]);
    expect(graphs(root)).toContain(secondGraph);
    expect(graphs(root)).toHaveLength(2); // main's second graph and other's
  });

  it('keeps the graph another builder renamed into place first, dropping its own copy', () => {
    const root = project({});
    const winner = join(root, 'graph');
    const loser = join(root, 'mine');
    write(root, 'graph/a.mjs', 'winner');
    write(root, 'mine/a.mjs', 'loser');
    moveIntoPlace(loser, winner);
    expect(readFileSync(join(winner, 'a.mjs'), 'utf8')).toBe('winner');
    expect(existsSync(loser)).toBe(false);
  });

  it('lets several processes compile the same module at once: each imports a complete graph, one graph and one entry record remain', async () => {
    const root = project(program);
    const compiled = join(compiledBuild(repo), 'lib', 'ts-cache', 'compiled-module.js');
    const entry = pathToFileURL(join(root, 'src/main.ts')).href;
    const script = `const { compiledModuleUrl } = await import(${JSON.stringify(pathToFileURL(compiled).href)}); const url = await compiledModuleUrl(${JSON.stringify(entry)}); process.stderr.write(url); await import(url);`;
    const children = await Promise.all(Array.from({ length: 4 }, () => run(process.execPath, ['--input-type=module', '-e', script], { env, timeout: childTimeoutMs })));
    expect(new Set(children.map((c) => c.stderr)).size).toBe(1);
    for (const { stdout } of children) expect(JSON.parse(stdout)).toMatchObject({ n: 42, ping: 12 });
    expect(graphs(root)).toHaveLength(1);
    expect(readdirSync(cacheOf(root)).filter((name) => name.startsWith('.building-'))).toStrictEqual([]);
    expect(readdirSync(join(cacheOf(root), 'entries'))).toHaveLength(1);
  });
});
