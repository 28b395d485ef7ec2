/**
 * How the main job starts: the environment, node flags and entry of `npm start` (package.json), read
 * from there so the bench measures what users run and cannot drift from it. Expects the script's shape
 * `[NAME=value ...] node [--flag ...] <entry> <args...>`; throws if it is not.
 */
import { readFileSync } from 'node:fs';

export interface MainJobCommand {
  /** Variables the script sets for node (e.g. the ones glibc's malloc reads at start). */
  readonly env: Readonly<Record<string, string>>;
  readonly nodeFlags: readonly string[];
  /** The script node runs, relative to the repository. */
  readonly entry: string;
}

export function mainJobCommand(start = readStartScript()): MainJobCommand {
  const words = start.trim().split(/\s+/);
  const env: Record<string, string> = {};
  let k = 0;
  for (; k < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[k] ?? ''); k++) {
    const word = words[k] as string;
    env[word.slice(0, word.indexOf('='))] = word.slice(word.indexOf('=') + 1);
  }
  if (words[k] !== 'node') throw new Error(`npm start: expected [NAME=value ...] node [flags] <entry> ..., got ${start}`);
  const nodeFlags: string[] = [];
  for (k++; k < words.length && (words[k] ?? '').startsWith('--'); k++) nodeFlags.push(words[k] as string);
  const entry = words[k];
  if (entry === undefined) throw new Error(`npm start: no entry script in ${start}`);
  return { env, nodeFlags, entry };
}

function readStartScript(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start;
}
