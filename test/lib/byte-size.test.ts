import { describe, expect, it } from 'vitest';
import { formatBytes, parseByteSize } from '../../lib/byte-size.ts';

describe('parseByteSize', () => {
  it('reads decimal units as powers of 1000 and binary units as powers of 1024', () => {
    expect(parseByteSize('512MB', 'x')).toBe(512_000_000);
    expect(parseByteSize('2GiB', 'x')).toBe(2 * 2 ** 30);
    expect(parseByteSize('1.5 gb', 'x')).toBe(1_500_000_000);
    expect(parseByteSize('64KiB', 'x')).toBe(65536);
    expect(parseByteSize('800k', 'x')).toBe(800_000);
    expect(parseByteSize('123', 'x')).toBe(123);
    expect(parseByteSize(4096, 'x')).toBe(4096);
  });

  it('rejects anything else with an expected/got SkyloomTypeError naming the option', () => {
    for (const bad of ['lots', '12 parsecs', '-1MB', '', -5, 1.5, NaN, null, {}]) {
      expect(() => parseByteSize(bad, 'laptopRunner memoryBudget')).toThrow(
        expect.objectContaining({ name: 'SkyloomTypeError', code: 'SKY_INVALID_ARGUMENT', message: expect.stringContaining('laptopRunner memoryBudget: expected') }),
      );
    }
  });

  it('formats sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3 * 2 ** 20)).toBe('3.0 MiB');
  });
});
