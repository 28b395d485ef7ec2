import { describe, expect, it } from 'vitest';
import { errorFromWire, errorToWire } from '../../lib/error-wire.ts';
import { ErrorCode, SkyloomError, SkyloomTypeError } from '../../lib/errors.ts';

/** What a thread boundary does to the wire format: a structured clone. */
const across = (error: unknown) => errorFromWire(structuredClone(errorToWire(error)));

describe('error wire format', () => {
  it('keeps a SkyloomError whole: class, code, unit path, site, units, ref, stack and cause chain', () => {
    const root = new RangeError('too far');
    const inner = new SkyloomError(ErrorCode.UnknownRef, 'no such ref', { unitPath: 'root/a:1', site: 'get#2', ref: 'h1-3', cause: root });
    const outer = new SkyloomError(ErrorCode.UnitFailed, 'unit failed', { unitPath: 'root/a:1', site: 'get#2', units: ['root/a:1', 'root/a:2'], cause: inner });
    const back = across(outer) as SkyloomError;
    expect(back).toBeInstanceOf(SkyloomError);
    expect(back).toMatchObject({ code: ErrorCode.UnitFailed, message: 'unit failed', unitPath: 'root/a:1', site: 'get#2', units: ['root/a:1', 'root/a:2'] });
    expect(back.stack).toBe(outer.stack);
    const backInner = back.cause as SkyloomError;
    expect(backInner).toBeInstanceOf(SkyloomError);
    expect(backInner).toMatchObject({ code: ErrorCode.UnknownRef, ref: 'h1-3' });
    expect(backInner.cause).toBeInstanceOf(RangeError);
    expect((backInner.cause as Error).message).toBe('too far');
  });

  it('keeps a SkyloomTypeError with its message, expected, got and code', () => {
    const error = new SkyloomTypeError('get(ref)', 'a Ref', 'number 3', { unitPath: 'root', site: 'get#1' });
    const back = across(error) as SkyloomTypeError;
    expect(back).toBeInstanceOf(SkyloomTypeError);
    expect(back).toMatchObject({ message: error.message, expected: 'a Ref', got: 'number 3', code: ErrorCode.InvalidArgument, unitPath: 'root', site: 'get#1' });
  });

  it('keeps the string code of a plain error (as Node errors have) and its name', () => {
    const error = Object.assign(new Error('worker ran out of memory'), { code: 'ERR_WORKER_OUT_OF_MEMORY', name: 'WorkerError' });
    const back = across(error) as Error & { code: string };
    expect(back).toBeInstanceOf(Error);
    expect(back.code).toBe('ERR_WORKER_OUT_OF_MEMORY');
    expect(back.name).toBe('WorkerError');
  });

  it('passes thrown non-errors through, and turns ones that cannot be cloned into errors keeping their code', () => {
    expect(across({ reason: 'plain object', n: 3 })).toStrictEqual({ reason: 'plain object', n: 3 });
    expect(across({ code: 'X' })).toStrictEqual({ code: 'X' });
    expect(across('a string')).toBe('a string');
    const fn = across({ code: 'Y', fn: () => 1 }) as Error & { code?: string };
    expect(fn).toBeInstanceOf(Error);
    expect(fn.code).toBe('Y');
    expect(fn.message).toBe('a thrown {"code":"Y"}');
    const symbol = across(Symbol('oops')) as Error & { code?: string };
    expect(symbol.message).toBe('a thrown Symbol(oops)');
    expect(symbol.code).toBeUndefined();
  });

  it('stops at a cyclic cause chain instead of looping', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    let depth = 0;
    for (let e: unknown = across(a); e instanceof Error; e = e.cause) depth++;
    expect(depth).toBeGreaterThan(2);
    expect(depth).toBeLessThanOrEqual(17);
  });
});
