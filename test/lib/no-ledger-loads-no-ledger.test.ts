import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const script = new URL('./fixtures/no-ledger-run.ts', import.meta.url).pathname;

interface Loaded {
  readonly units: number;
  readonly resolved: number;
  readonly ledgerModules: readonly string[];
  readonly ledgerPackages: readonly string[];
}

/** Runs the fixture in a process of its own (this one has loaded the ledger for other tests) and reads what it loaded. */
async function loadedBy(runner: string, ledgerDir?: string): Promise<Loaded> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, runner, ...(ledgerDir ? [ledgerDir] : [])], { timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as Loaded;
}

describe('a run that keeps no ledger', () => {
  for (const runner of ['inline', 'cluster']) {
    it(`loads no module of lib/ledger/ but the public entry, and none of the ledger's packages, in its main thread (${runner})`, async () => {
      const loaded = await loadedBy(runner);
      expect(loaded.units).toBe(5);
      expect(loaded.resolved).toBeGreaterThan(50); // the hooks did see skyloom's modules
      expect(loaded).toMatchObject({ ledgerModules: ['lib/ledger/keep-ledger.ts'], ledgerPackages: [] });
    });
  }

  it('while a run that keeps one loads them (the control: the listing sees the ledger when it is there)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'skyloom-ledger-loaded-'));
    try {
      const loaded = await loadedBy('inline', dir);
      expect(loaded.ledgerModules).toEqual(expect.arrayContaining(['lib/ledger/keep-ledger.ts', 'lib/ledger/open-ledger.ts', 'lib/ledger/ledger-db.ts']));
      expect(loaded.ledgerPackages).toEqual(expect.arrayContaining(['better-sqlite3', 'write-file-atomic', 'picomatch']));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
