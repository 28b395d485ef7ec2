import type { Reply } from '../activator.ts';
import { codeOf } from '../errors.ts';
import type { GroupJournal, GroupRecall, MemberSpec, RefAccess } from '../journal.ts';
import type { LedgerDb } from './ledger-db.ts';
import type { PreviousAttempt } from './previous-attempt.ts';
import type { ValueCodec } from './value-codec.ts';

const groupOf = (path: string): string => path.replace(/:\d+$/, '');
const parentOf = (path: string): string | null => (path.includes('/') ? path.slice(0, groupOf(path).lastIndexOf('/')) : null);

/**
 * The run ledger as the group loop sees it: records units, collectives and provenance digests, and
 * persists outputs and collective results as objects so a later attempt can recall them. Recording
 * calls return at once; the work is chained in call order (so a unit is recorded finished only after
 * its output is on disk) and batched into SQLite by `LedgerDb`. The first recording failure is kept
 * and thrown by `close()`. Does not decide what to re-run (the group loop does).
 */
export class LedgerJournal implements GroupJournal {
  readonly #db: LedgerDb;
  readonly #codec: ValueCodec;
  readonly #keep: (path: string) => boolean;
  readonly #previous: PreviousAttempt | undefined;
  #chain: Promise<void> = Promise.resolve();
  #failure: { error: unknown } | undefined;

  constructor(db: LedgerDb, codec: ValueCodec, keep: (path: string) => boolean, previous?: PreviousAttempt) {
    this.#db = db;
    this.#codec = codec;
    this.#keep = keep;
    this.#previous = previous;
  }

  async recall(group: string, specs: readonly MemberSpec[], refs: RefAccess): Promise<GroupRecall | undefined> {
    const found = this.#previous?.group(group, specs.map((s) => s.path));
    if (!found) return undefined;
    const finished = new Map<number, unknown>();
    for (const [index, digest] of found.finished) finished.set(index, await this.#codec.decode(digest, refs));
    const collectives = await Promise.all(found.collectives.map((digest) => this.#codec.decode(digest, refs)));
    return { finished, collectives, memberships: found.memberships };
  }

  memberStarted(spec: MemberSpec, refs: RefAccess): void {
    const { path, index, algorithm } = spec;
    const started = Date.now();
    this.#enqueue(async () => {
      const kept = this.#keep(path);
      const digest = await this.#codec.encode(spec.input, refs, kept);
      this.#db.write(
        `INSERT INTO units(path, parent, grp, idx, module, name, status, attempts, started, input_digest, input_kept)
         VALUES (?, ?, ?, ?, ?, ?, 'running', 1, ?, ?, ?)
         ON CONFLICT(path) DO UPDATE SET status = 'running', attempts = attempts + 1, started = excluded.started, ended = NULL,
           error_code = NULL, error_message = NULL, error_site = NULL, input_digest = excluded.input_digest,
           input_kept = max(input_kept, excluded.input_kept), output_digest = NULL`,
        path, parentOf(path), groupOf(path), index, algorithm.moduleUrl, algorithm.name, started, digest, kept ? 1 : 0,
      );
    });
  }

  memberReturned(path: string, output: unknown, refs: RefAccess, bytesPut: number | null): void {
    const ended = Date.now();
    this.#enqueue(async () => {
      const digest = await this.#codec.encode(output, refs, true);
      this.#db.write(`UPDATE units SET status = 'finished', ended = ?, output_digest = ?, bytes_put = ? WHERE path = ?`, ended, digest, bytesPut, path);
    });
  }

  memberFailed(path: string, site: string, error: unknown, bytesPut: number | null): void {
    const ended = Date.now();
    const message = error instanceof Error ? error.message : String(error);
    this.#enqueue(() => {
      this.#db.write(`UPDATE units SET status = 'failed', ended = ?, error_code = ?, error_message = ?, error_site = ?, bytes_put = ? WHERE path = ?`,
        ended, codeOf(error) ?? 'ERR_USER', message, site, bytesPut, path);
    });
  }

  collectiveCompleted(group: string, number: number, specs: readonly MemberSpec[], result: Reply, perMember: boolean, refs: RefAccess, members?: readonly number[]): void {
    const ended = Date.now();
    this.#enqueue(async () => {
      if (!result.ok) return; // a failed central is not recalled: a resumed group runs it again
      const digest = await this.#codec.encode(result.value, refs, true);
      const answered = members ?? specs.map((_, i) => i);
      this.#db.write(`INSERT OR REPLACE INTO collectives(grp, number, members, per_member, result_digest, ended, live) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        group, number, answered.length, perMember ? 1 : 0, digest, ended, members ? JSON.stringify(members) : null);
      const entries = perMember ? (result.value as readonly unknown[]) : undefined;
      for (const [k, i] of answered.entries()) {
        const reply = entries ? await this.#codec.encode(entries[k], refs, false) : digest;
        this.#db.write(`INSERT OR REPLACE INTO replies(path, number, digest) VALUES (?, ?, ?)`, (specs[i] as MemberSpec).path, number, reply);
      }
    });
  }

  groupEnded(group: string, left: readonly number[]): void {
    this.#enqueue(() => {
      if (left.length > 0) this.#db.write(`INSERT OR REPLACE INTO left_members(grp, members) VALUES (?, ?)`, group, JSON.stringify(left));
      else this.#db.write(`DELETE FROM left_members WHERE grp = ?`, group);
    });
  }

  /** Resolves when everything recorded so far is written (runners call it before closing their store). */
  settle(): Promise<void> {
    return this.#chain;
  }

  /** Waits for pending records, commits them; throws the first recording failure, if any. */
  async close(): Promise<void> {
    await this.#chain;
    this.#db.flush();
    if (this.#failure) throw this.#failure.error;
  }

  /** Runs `task` after everything recorded so far (for records of the run itself). */
  record(task: () => void | Promise<void>): void {
    this.#enqueue(task);
  }

  #enqueue(task: () => void | Promise<void>): void {
    this.#chain = this.#chain.then(task).catch((error: unknown) => {
      this.#failure ??= { error };
    });
  }
}
