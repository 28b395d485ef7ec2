import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const { NODE_OPTIONS: _, ...env } = process.env; // the command runs plain node, as a user's shell would
function skyloom(...args: string[]) {
  const r = spawnSync(process.execPath, ['cli/bin.mjs', ...args], { encoding: 'utf8', env, timeout: 120_000 }); // seconds; the limit is for a loaded machine
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const program = join('test', 'cli', 'fixtures', 'exec-program.ts');
const scratch = mkdtempSync(join(tmpdir(), 'skyloom-exec-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('skyloom exec', () => {
  it("runs a user's .ts program that calls run(), compiled with no tsx, passing it its arguments and its exit code", () => {
    const r = skyloom('exec', program, 'one', '--flag', '--exit-3');
    expect(r.stderr).not.toContain('Error');
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toStrictEqual({ output: 1, args: ['one', '--flag', '--exit-3'], url: pathToFileURL(join(process.cwd(), program)).href, tsx: false });
  });

  it('refuses a program that does not exist with SKY_MODULE_NOT_FOUND naming it, exit 2', () => {
    const r = skyloom('exec', join(scratch, 'absent.ts'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`[SKY_MODULE_NOT_FOUND] skyloom exec <program>: expected a program file (.ts, .mts, .tsx, .js or .mjs), got ${join(scratch, 'absent.ts')}, which does not exist`);
  });

  it('prints its usage for --help and refuses a missing program with a usage error, exit 2', () => {
    const help = skyloom('exec', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: skyloom exec [options] <program> [args...]');
    const none = skyloom('exec');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("missing required argument 'program'");
  });

  it('reports a syntax error with SKY_MODULE_SYNTAX naming the file, line and column, before any of the program runs', () => {
    const broken = join(scratch, 'broken.ts');
    writeFileSync(broken, "console.log('ran');\nconst x: number = ;\n");
    const r = skyloom('exec', broken);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`[SKY_MODULE_SYNTAX] the TypeScript module ${broken}: expected a module that compiles (TypeScript syntax), got Unexpected ";" at ${broken}:2:19`);
  });
});
