import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { RunEventBody } from '../../../lib/events.ts';
import { LeakDetector } from '../../../lib/memory/leak-detector.ts';
import { makeRef } from '../../../lib/ref.ts';

// The suite runs with SKYLOOM_FINALIZERS=0 (vitest.config.ts) to show nothing else depends on
// finalizers; this file is the leak detector's own test, so it builds one whatever that setting says.
const gc = (globalThis as { gc?: () => void }).gc;

async function collectUntil(done: () => boolean): Promise<void> {
  for (let k = 0; k < 50 && !done(); k++) {
    gc?.();
    await turn();
  }
}

describe('LeakDetector', () => {
  it('is off when SKYLOOM_FINALIZERS=0, as the test suite runs', () => {
    expect(process.env.SKYLOOM_FINALIZERS).toBe('0');
    expect(LeakDetector.enabled()).toBe(false);
  });

  it.runIf(gc !== undefined)('reports SKY_REF_LEAKED for a handle collected while the store still holds its value', async () => {
    const events: RunEventBody[] = [];
    const detector = new LeakDetector((event) => void events.push(event), () => true);
    (() => detector.track(makeRef('r1', 8), 'root/a'))();
    await collectUntil(() => events.length > 0);
    expect(events).toMatchObject([{ type: 'warning', path: 'root/a', code: 'SKY_REF_LEAKED' }]);
  });

  it.runIf(gc !== undefined)('reports nothing for a ref it was told is freed', async () => {
    const events: RunEventBody[] = [];
    const detector = new LeakDetector((event) => void events.push(event), () => true);
    (() => detector.track(makeRef('r2', 8), 'root/b'))();
    detector.forget('r2');
    const witness = new FinalizationRegistry<string>(() => events.push({ type: 'warning', path: 'witness', code: 'W', message: '' } as unknown as RunEventBody));
    (() => witness.register({}, 'w'))();
    await collectUntil(() => events.some((e) => 'path' in e && e.path === 'witness'));
    expect(events.filter((e) => 'path' in e && e.path !== 'witness')).toEqual([]);
  });
});
