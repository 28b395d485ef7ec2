import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spillTraffic } from '../../../bench/scale/spill-accounting.ts';

const dir = mkdtempSync(join(tmpdir(), 'skyloom-spill-accounting-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('spill traffic of a run', () => {
  it('counts a ref that had to leave memory once, at its size, however often it was read back; a ref never read back not at all', async () => {
    const events = [
      { t: 1, type: 'unit-started', path: 'root' },
      { t: 2, type: 'spill-out', ref: 'a', bytes: 100 },
      { t: 3, type: 'spill-out', ref: 'b', bytes: 40 }, // never read back: written for nothing
      { t: 4, type: 'spill-in', ref: 'a', bytes: 100 },
      { t: 5, type: 'spill-in', ref: 'a', bytes: 100 },
      { t: 6, type: 'spill-out', ref: 'c', bytes: 10 },
      { t: 7, type: 'spill-out', ref: 'c', bytes: 10 }, // written twice
      { t: 8, type: 'spill-in', ref: 'c', bytes: 10 },
    ];
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    expect(await spillTraffic(file)).toEqual({ writtenBytes: 160, readBackBytes: 210, hadToLeaveBytes: 110, refsWritten: 3, refsReadBack: 2 });
  });
});
