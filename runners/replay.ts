import type { Reply } from '../lib/activator.ts';
import { start as startReply } from '../lib/activator.ts';
import { ErrorCode, SkyloomError, unitFailed } from '../lib/errors.ts';
import type { Emit } from '../lib/events.ts';
import { deepFreeze } from '../lib/freeze.ts';
import { LedgerDb } from '../lib/ledger/ledger-db.ts';
import { loadAlgorithm } from '../lib/ledger/load-algorithm.ts';
import { ObjectStore } from '../lib/ledger/object-store.ts';
import { readRecordedUnit, type RecordedUnit } from '../lib/ledger/recorded-unit.ts';
import { readRunRecord } from '../lib/ledger/run-record.ts';
import { ValueCodec } from '../lib/ledger/value-codec.ts';
import { MemoryStore } from '../lib/memory/memory-store.ts';
import { StatsRecorder } from '../lib/stats.ts';
import { Unit } from '../lib/unit.ts';
import { readRecordedMemberships } from './recorded-memberships.ts';
import { runLocalGroup, storeAccess, type LocalEnv } from './shared/local-group.ts';

export interface ReplayOptions {
  /** Receives the replayed unit's events (and those of any children it scatters). */
  readonly emit?: Emit;
  readonly verify?: boolean;
}

export interface ReplayResult {
  readonly path: string;
  readonly output: unknown;
  readonly outputDigest: string;
  readonly recordedDigest: string;
  readonly wallMs: number;
}

/**
 * Freeze-dried replay: runs one recorded unit alone, in this thread, fed its recorded input and the
 * recorded results of its collectives instead of running its siblings; children it scatters run
 * live (inline semantics), a `'collect'` group among them with the memberships the run recorded
 * (`recorded-memberships.ts`), so quorums and deadlines are not decided again. Resolves when its output digest matches the ledger's, else rejects with
 * `SKY_REPLAY_MISMATCH`; `SKY_REPLAY_MISSING` says what the run did not keep.
 */
export async function replayUnit(runDir: string, path: string, options: ReplayOptions = {}): Promise<ReplayResult> {
  const t0 = performance.now();
  const db = LedgerDb.open(runDir, { readonly: true });
  let seed: number;
  let recorded: RecordedUnit;
  let imposed: LocalEnv['imposed'];
  try {
    seed = readRunRecord(db, runDir).seed;
    recorded = readRecordedUnit(db, path);
    imposed = readRecordedMemberships(db);
  } finally {
    db.close();
  }
  const store = new MemoryStore({ verify: options.verify ?? false, idPrefix: 'replay:' });
  const env: LocalEnv = { seed, store, emit: options.emit ?? (() => {}), stats: new StatsRecorder(), concurrent: false, imposed };
  const refs = storeAccess(store);
  const codec = new ValueCodec(new ObjectStore(runDir));
  try {
    const algorithm = await loadAlgorithm(recorded.module, recorded.name);
    const input = await codec.decode(recorded.inputDigest, refs);
    const unit = new Unit({ algorithm, input, path, index: recorded.index, size: recorded.size }, env);
    const output = await drive(unit, recorded, env, codec, refs);
    const outputDigest = await codec.encode(output, refs, false);
    if (outputDigest !== recorded.outputDigest) {
      throw new SkyloomError(ErrorCode.ReplayMismatch, `replay of ${path} gave output ${outputDigest}; the ledger recorded ${recorded.outputDigest}`, { unitPath: path });
    }
    return { path, output, outputDigest, recordedDigest: recorded.outputDigest, wallMs: performance.now() - t0 };
  } finally {
    store.close();
  }
}

async function drive(unit: Unit, recorded: RecordedUnit, env: LocalEnv, codec: ValueCodec, refs: ReturnType<typeof storeAccess>): Promise<unknown> {
  const signal = new AbortController().signal;
  let reply: Reply = startReply;
  let gathers = 0;
  for (;;) {
    const pause = await unit.advance(reply);
    if (pause.kind === 'returned') return pause.value;
    if (pause.kind === 'failed') throw unitFailed(unit.path, pause.site, pause.error);
    if (pause.kind === 'scatter') {
      reply = await runLocalGroup(env, pause.children, pause.group, signal, pause.op.onFailure).then(
        (outputs): Reply => ({ ok: true, value: deepFreeze(outputs) }),
        (error: unknown): Reply => ({ ok: false, error }),
      );
      continue;
    }
    const collective = recorded.collectives[gathers++];
    if (!collective) {
      await unit.cancel();
      throw new SkyloomError(ErrorCode.ReplayMismatch, `replay of ${unit.path} reached gather #${gathers}, but the recorded run completed only ${recorded.collectives.length}`, { unitPath: unit.path, site: pause.site });
    }
    const result = await codec.decode(collective.digest, refs);
    reply = { ok: true, value: collective.perMember ? (result as readonly unknown[])[collective.position] : result };
  }
}
