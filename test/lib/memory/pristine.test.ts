import { describe, expect, it } from 'vitest';
import { PristineLedger } from '../../../lib/memory/pristine.ts';

describe('PristineLedger', () => {
  it('reports a borrowed buffer changed during the step', () => {
    const ledger = new PristineLedger();
    const pixels = new Float32Array([1, 2]);
    ledger.track('r1', pixels);
    ledger.borrow('root/s:0', 'r1', pixels);
    pixels[0] = 5;
    expect(ledger.endStep('root/s:0')).toMatchObject({ code: 'SKY_PRISTINE_VIOLATION', unitPath: 'root/s:0', ref: 'r1' });
  });

  it('does not report a ref freed during the step, which nobody can read any more', () => {
    const ledger = new PristineLedger();
    const pixels = new Float32Array([1, 2]);
    ledger.track('r1', pixels);
    ledger.borrow('root/s:0', 'r1', pixels);
    ledger.forget('r1');
    pixels[0] = 5;
    expect(ledger.endStep('root/s:0')).toBeUndefined();
  });
});
