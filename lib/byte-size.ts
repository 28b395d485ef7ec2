import { describeValue } from './describe-value.ts';
import { SkyloomTypeError } from './errors.ts';

/**
 * Parses a byte amount: a non-negative integer of bytes, or a string such as `512MB`, `2GiB`, `1.5 GB`,
 * `800k`. Decimal units are powers of 1000 (`kB`/`k`, `MB`/`M`, `GB`/`G`, `TB`/`T`, as in SI and as
 * disk makers count); binary units are powers of 1024 (`KiB`, `MiB`, `GiB`, `TiB`). Units are
 * case-insensitive; `B` alone means bytes. The result is rounded down to whole bytes.
 *
 * Throws `SkyloomTypeError` (`SKY_INVALID_ARGUMENT`) naming `what` for anything else.
 */
export function parseByteSize(input: unknown, what: string): number {
  if (typeof input === 'number') {
    if (Number.isSafeInteger(input) && input >= 0) return input;
    throw new SkyloomTypeError(what, 'a whole number of bytes or a size such as "512MB" or "2GiB"', describeValue(input));
  }
  if (typeof input === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i.exec(input);
    const factor = match ? unitFactor(match[2] ?? '') : undefined;
    if (match && factor !== undefined) {
      const bytes = Math.floor(Number(match[1]) * factor);
      if (Number.isSafeInteger(bytes)) return bytes;
    }
  }
  throw new SkyloomTypeError(what, 'a whole number of bytes or a size such as "512MB" or "2GiB"', describeValue(input));
}

const decimal: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12 };
const binary: Record<string, number> = { kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

function unitFactor(unit: string): number | undefined {
  const u = unit.toLowerCase();
  return decimal[u] ?? binary[u];
}

/** A short human form: `512.0 MiB`. Never throws. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let i = 0;
  while (Math.abs(value) >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return i === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[i]}`;
}
