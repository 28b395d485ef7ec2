import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mainJobCommand } from '../../../bench/scale/main-job-command.ts';

describe('mainJobCommand', () => {
  it('reads the environment, node flags and entry of npm start', () => {
    const command = mainJobCommand();
    expect(command.entry).toBe('cli/bin.mjs');
    expect(command.env).toEqual({ MALLOC_MMAP_THRESHOLD_: '262144' });
    expect(command.nodeFlags).toEqual(['--max-semi-space-size=1', '--optimize-for-size']);
  });

  it('is how the skyloom command starts node too (the first line of cli/bin.mjs)', () => {
    const shebang = readFileSync('cli/bin.mjs', 'utf8').split('\n')[0] ?? '';
    const { env, nodeFlags } = mainJobCommand();
    const viaEnv = mainJobCommand(`${shebang.replace(/^#!\/usr\/bin\/env -S /, '')} cli/bin.mjs`);
    expect(viaEnv).toEqual({ env, nodeFlags, entry: 'cli/bin.mjs' });
  });

  it('takes a script with no variables or flags', () => {
    expect(mainJobCommand('node cli/bin.mjs run')).toEqual({ env: {}, nodeFlags: [], entry: 'cli/bin.mjs' });
  });

  it('refuses a script that does not run node', () => {
    expect(() => mainJobCommand('tsx cli/main.ts run')).toThrow(/expected \[NAME=value \.\.\.\] node/);
  });
});
