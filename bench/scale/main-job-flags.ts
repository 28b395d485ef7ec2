/**
 * The node flags the main job runs with: those of `npm start` (package.json), read from there so the
 * bench measures what users run and cannot drift from it. Never throws for this repository's package.json.
 */
import { readFileSync } from 'node:fs';

export function mainJobNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.split(/\s+/);
  const flags: string[] = [];
  for (const word of words.slice(1)) {
    if (!word.startsWith('--') || word === '--import') break;
    flags.push(word);
  }
  return flags;
}
