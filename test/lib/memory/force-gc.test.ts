import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { forceGc } from '../../../lib/memory/force-gc.ts';

describe('forceGc', () => {
  it('gives the collector node exposes with --expose-gc (as the test suite runs)', () => {
    expect(forceGc()).toBe((globalThis as { gc?: unknown }).gc);
    expect(forceGc()).toBeTypeOf('function');
  });

  it('never turns a V8 flag on itself: without --expose-gc there is none, before and after', () => {
    const script = `
      import { forceGc } from ${JSON.stringify(new URL('../../../lib/memory/force-gc.ts', import.meta.url).href)};
      console.log(JSON.stringify([typeof globalThis.gc, typeof forceGc(), typeof globalThis.gc]));
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(JSON.parse(out.trim())).toEqual(['undefined', 'undefined', 'undefined']);
  });
});
