/**
 * Shared by the CLI/ledger fault matrix (`test/faults/cli-*.test.ts`): run the `skyloom` command in a
 * child process with a time limit, and a scratch directory per file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export interface CommandResult {
  readonly code: number | null;
  /** Set when the command was killed at the time limit: a hang. */
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `skyloom …args` in a child process, killed after `timeoutMs` (a hang shows as `signal: 'SIGTERM'`). */
export function skyloom(args: readonly string[], timeoutMs = 120_000): CommandResult {
  const r = spawnSync(process.execPath, ['cli/bin.mjs', ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh directory under the OS temp directory, removed after the file's tests. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `skyloom-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The tiny job of the matrix: 9 sensors, 2 visits, a 2 MB budget. */
export const tinyJob = ['--camera', 'tiny', '--visits', '2', '--memory', '2MB', '--seed', '7', '--no-progress', '--json'] as const;

/** A stack trace's frame line, which an expected error must not print. */
export const stackFrame = /^\s+at .+[:(]/m;
