import { describe, expect, it } from 'vitest';
import { Ownership } from '../../../lib/memory/ownership.ts';
import { makeRef } from '../../../lib/ref.ts';

const unit = 'root/s:0';
const detached = (): Float32Array => {
  const pixels = new Float32Array(4);
  structuredClone(pixels.buffer, { transfer: [pixels.buffer] });
  return pixels;
};

describe('Ownership', () => {
  it('refuses any put of detached arrays, saying what was expected and got', () => {
    const own = new Ownership();
    for (const transfer of [false, true]) {
      expect(() => own.checkPut({ pixels: detached() }, unit, transfer)).toThrow(
        expect.objectContaining({ code: 'SKY_TRANSFER', unitPath: unit, message: expect.stringMatching(/expected live buffers, got a detached one/) }),
      );
    }
    expect(() => own.checkPut(new Float32Array(0), unit, true)).not.toThrow(); // empty is not detached
  });

  it('reports a put of an array whose lease ended as SKY_LEASE_EXPIRED, with what the store says it was', () => {
    const own = new Ownership();
    const expired = detached();
    const what = (buffer: ArrayBuffer): string | undefined => (buffer === expired.buffer ? 'ref r7, whose lease ended at gather#1' : undefined);
    expect(() => own.checkPut({ expired }, unit, false, what)).toThrow(expect.objectContaining({ code: 'SKY_LEASE_EXPIRED', message: expect.stringMatching(/ref r7, whose lease ended at gather#1/) }));
  });

  it('lets the store own the buffers of a plain put of fresh plain data, and not of anything else', () => {
    const own = new Ownership();
    expect(own.checkPut({ pixels: new Float32Array(4) }, unit, false)).toBe(true);
    const input = { pixels: new Float32Array(4) };
    own.share(input);
    expect(own.checkPut(input, unit, false)).toBe(false);
    const twice = new Float32Array(4);
    expect(own.checkPut(twice, unit, false)).toBe(true);
    own.adopt('r1', twice, unit);
    expect(own.checkPut({ again: twice }, unit, false)).toBe(false); // another ref's: the new one is ordinary
    expect(own.owns('r1')).toBe(false); // ...and the first no longer the store's alone
  });

  it('refuses a transfer put of anything but plain data, naming the path', () => {
    const own = new Ownership();
    class Image {
      pixels = new Float32Array(2);
    }
    expect(() => own.checkPut({ img: new Image() }, unit, true)).toThrow(expect.objectContaining({ code: 'SKY_TRANSFER', message: expect.stringMatching(/value\.img/) }));
    expect(() => own.checkPut({ img: new Image() }, unit, false)).not.toThrow(); // a plain put keeps it in memory
  });

  it('refuses a transfer put of buffers another ref, an input or a gathered value holds', () => {
    const own = new Ownership();
    const plain = new Float32Array(4);
    own.adopt('r0', plain, unit); // a plain put the store owns
    expect(() => own.checkPut(plain, unit, true)).toThrow(expect.objectContaining({ code: 'SKY_TRANSFER', message: expect.stringMatching(/a buffer of ref r0/) }));
    expect(own.checkPut(plain, unit, false)).toBe(false); // a plain put of it again is ordinary; now shared
    expect(() => own.checkPut(plain, unit, true)).toThrow(expect.objectContaining({ code: 'SKY_TRANSFER', message: expect.stringMatching(/another ref, an input/) }));
    const input = { pixels: new Float32Array(4) };
    own.share(input);
    expect(() => own.checkPut(input.pixels, unit, true)).toThrow(expect.objectContaining({ code: 'SKY_TRANSFER' }));
    const handed = new Float32Array(4);
    own.checkPut(handed, unit, true);
    own.adopt('r1', handed, unit);
    expect(() => own.checkPut(handed, unit, true)).toThrow(expect.objectContaining({ code: 'SKY_TRANSFER', message: expect.stringMatching(/a buffer of ref r1/) }));
  });

  it('makes a transfer ref ordinary once its value is shared, as when it leaves the unit', () => {
    const own = new Ownership();
    const pixels = new Float32Array(4);
    own.adopt('r1', pixels, unit);
    expect(own.owns('r1')).toBe(true);
    own.share({ gathered: [pixels] });
    expect(own.owns('r1')).toBe(false);
    expect(() => own.checkTake('r1', unit, false)).toThrow(expect.objectContaining({ code: 'SKY_TRANSFER', ref: 'r1', message: expect.stringMatching(/does not own alone/) }));
  });

  it('lets a unit take only a transfer ref whose handle stayed with it and that no other step borrows', () => {
    const own = new Ownership();
    own.adopt('r1', new Float32Array(4), unit);
    expect(() => own.checkTake('r1', unit, false)).not.toThrow();
    expect(() => own.checkTake('r1', unit, true)).toThrow(expect.objectContaining({ message: expect.stringMatching(/another running step borrows/) }));
    own.checkPut({ keep: makeRef('r1', 16) }, unit, false); // the handle now sits inside another value
    expect(() => own.checkTake('r1', unit, false)).toThrow(expect.objectContaining({ message: expect.stringMatching(/handle left the unit/) }));
    own.adopt('r2', new Float32Array(4), unit);
    own.share({ output: makeRef('r2', 16) }); // returned, gathered or scattered
    expect(() => own.checkTake('r2', unit, false)).toThrow(expect.objectContaining({ message: expect.stringMatching(/handle left the unit/) }));
  });

  it('gives a taken value to the taker: it may put it again with transfer, and the ref reports who took it', () => {
    const own = new Ownership();
    const pixels = new Float32Array(4);
    own.adopt('r1', pixels, unit);
    own.taken('r1', unit);
    expect(own.owns('r1')).toBe(false);
    expect(own.takenBy('r1')).toBe(unit);
    expect(() => own.checkPut(pixels, unit, true)).not.toThrow();
  });

  it("names at a unit's end the refs it put whose handles never left it, once", () => {
    const own = new Ownership();
    const other = 'root/s:1';
    own.adopt('kept', new Float32Array(4), unit);
    own.adopt('returned', new Float32Array(4), unit);
    own.adopt('nested', new Float32Array(4), unit);
    const shared = new Float32Array(4);
    own.adopt('shared', shared, unit);
    own.adopt('taken', new Float32Array(4), unit);
    own.adopt('freed', new Float32Array(4), unit);
    own.adopt('theirs', new Float32Array(4), other);
    own.share({ output: makeRef('returned', 16) });
    own.checkPut({ keep: makeRef('nested', 16) }, unit, false);
    own.share({ gathered: shared });
    own.taken('taken', unit);
    own.forget('freed');
    // 'shared': its arrays left the unit, not its handle: no later step can read the ref.
    expect(own.unitEnded(unit)).toEqual(['kept', 'shared']);
    expect(own.unitEnded(unit)).toEqual([]);
    expect(own.unitEnded(other)).toEqual(['theirs']);
  });

  it('remembers who took a ref only while the taker runs, and only its last takes: a long take/put loop keeps no entry per take', () => {
    const own = new Ownership();
    for (let i = 0; i < 1000; i++) {
      own.adopt(`r${i}`, new Float32Array(1), unit);
      own.taken(`r${i}`, unit);
    }
    expect(own.takenBy('r999')).toBe(unit); // the version just taken: the usual stale handle
    expect(own.takenBy('r984')).toBe(unit);
    expect(own.takenBy('r983')).toBeUndefined(); // older takes are no longer named
    expect(own.unitEnded(unit)).toEqual([]); // every ref it put was taken
    expect(own.takenBy('r999')).toBeUndefined(); // the taker ended: nobody can hold the handle
  });
});
