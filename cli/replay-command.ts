/**
 * `skyloom replay DIR UNIT_PATH`: re-runs one recorded unit alone from its kept input and recorded
 * collective replies, and checks its output digest against the ledger. Exit 0 when it matches, 1 when
 * it does not or when the run did not keep what replay needs (the message says what).
 */
import { replayUnit } from '../runners/replay.ts';
import { formatMs } from './format.ts';

export async function replayCommand(runDir: string, unitPath: string, json: boolean): Promise<number> {
  const r = await replayUnit(runDir, unitPath);
  const summary = { path: r.path, outputDigest: r.outputDigest, recordedDigest: r.recordedDigest, matches: true, wallMs: r.wallMs };
  process.stdout.write(json ? `${JSON.stringify(summary)}\n` : `replayed ${r.path} in ${formatMs(r.wallMs)}: output digest ${r.outputDigest} matches the ledger\n`);
  return 0;
}
