/** Human-readable figures for the CLI's table and progress bar, and errors as the CLI prints them. Never throws. */
import { codeOf } from '../lib/errors.ts';

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '-';
  const steps = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let i = 0;
  while (value >= 1000 && i < steps.length - 1) [value, i] = [value / 1000, i + 1];
  return `${value.toFixed(i === 0 ? 0 : 1)} ${steps[i]}`;
}

export function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** A plain text table: a header row, a rule, then the rows, columns padded to fit. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** `[CODE] message`, then each cause on its own line. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = codeOf(error);
  let text = `${code ? `[${code}] ` : ''}${error.message}`;
  for (let cause = error.cause; cause instanceof Error; cause = cause.cause) text += `\n  caused by: ${codeOf(cause) ? `[${codeOf(cause)}] ` : ''}${cause.message}`;
  return text;
}
