import { describe, expect, it } from 'vitest';
import { algorithm, isAlgorithm } from '../../lib/index.ts';

describe('algorithm', () => {
  it('wraps a named async generator function with its module url and name', () => {
    const a = algorithm(import.meta.url, async function* sensor() {});
    expect(a.name).toBe('sensor');
    expect(a.moduleUrl).toBe(import.meta.url);
    expect(isAlgorithm(a)).toBe(true);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('rejects a module url that is not a url, saying what it expected and got', () => {
    expect(() => algorithm('sensor.ts', async function* sensor() {})).toThrow(/expected a module URL.*got string "sensor.ts"/);
  });

  it('rejects a plain async function and a sync generator with SKY_INVALID_ARGUMENT', () => {
    for (const fn of [async function f() {}, function* g() {}]) {
      try {
        algorithm(import.meta.url, fn as never);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(TypeError);
        expect(error).toMatchObject({ code: 'SKY_INVALID_ARGUMENT', expected: expect.stringMatching(/async generator/) });
      }
    }
  });

  it('rejects an anonymous async generator function', () => {
    const anonymous = [async function* () {}][0] as never;
    expect(() => algorithm(import.meta.url, anonymous)).toThrow(/named async generator/);
  });

  it('says a non-algorithm is not one', () => {
    expect(isAlgorithm({ name: 'x' })).toBe(false);
    expect(isAlgorithm(null)).toBe(false);
  });
});
