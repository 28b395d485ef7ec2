/**
 * The public `replayUnit` (`skyloom/runners`): `replay.ts`, which reads the run ledger, imported only
 * when a replay is asked for, so importing the runners for a run that keeps no ledger loads none of
 * the ledger's modules or packages (better-sqlite3, write-file-atomic). Nothing else.
 */
import type { ReplayOptions, ReplayResult } from './replay.ts';

/** Freeze-dried replay of the unit at `path` of the run recorded in `runDir` (see `replay.ts`). */
export async function replayUnit(runDir: string, path: string, options: ReplayOptions = {}): Promise<ReplayResult> {
  const replay = await import('./replay.ts');
  return replay.replayUnit(runDir, path, options);
}
