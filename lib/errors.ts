/**
 * Every error skyloom raises, with its stable `code`. Errors carry the unit path and the primitive
 * site (`gather#2`, `scatter#1`, `start`) where they arose; wrapping errors keep the original as `cause`.
 *
 * This module only defines errors; it does not decide which failure a group reports (see
 * `failure-rule.ts`) nor how errors cross a thread boundary.
 */

export const ErrorCode = {
  InvalidArgument: 'SKY_INVALID_ARGUMENT',
  NotAPrimitive: 'SKY_NOT_A_PRIMITIVE',
  UnitFailed: 'SKY_UNIT_FAILED',
  CollectiveMismatch: 'SKY_COLLECTIVE_MISMATCH',
  CollectiveEarlyReturn: 'SKY_COLLECTIVE_EARLY_RETURN',
  PerMemberLength: 'SKY_PER_MEMBER_LENGTH',
  CentralFailed: 'SKY_CENTRAL_FAILED',
  PristineViolation: 'SKY_PRISTINE_VIOLATION',
  UnknownRef: 'SKY_UNKNOWN_REF',
  Cancelled: 'SKY_CANCELLED',
  LedgerObject: 'SKY_LEDGER_OBJECT',
  NotARun: 'SKY_NOT_A_RUN',
  RunIncompatible: 'SKY_RUN_INCOMPATIBLE',
  AlgorithmChanged: 'SKY_ALGORITHM_CHANGED',
  ReplayMissing: 'SKY_REPLAY_MISSING',
  ReplayMismatch: 'SKY_REPLAY_MISMATCH',
  /** A step needs more pinned store bytes than the memory budget, or a value is larger than it. */
  MemoryBudget: 'SKY_MEMORY_BUDGET',
  /** A spill file's content does not match the checksum taken when it was written. */
  SpillCorrupt: 'SKY_SPILL_CORRUPT',
  /** A spill file the store wrote is gone. */
  SpillMissing: 'SKY_SPILL_MISSING',
  /** Writing a spill file failed (disk full, I/O error). */
  SpillWrite: 'SKY_SPILL_WRITE',
  /** The spill directory cannot be created or written. */
  SpillDir: 'SKY_SPILL_DIR',
  /** Warning: a value still reachable after its ref was spilled (e.g. kept in a suspended unit's local). */
  RetainedAfterSpill: 'SKY_RETAINED_AFTER_SPILL',
  /** A worker thread hosting units crashed, ran out of memory or was terminated: its units fail with this. */
  HostLost: 'SKY_HOST_LOST',
  /** Cluster: a unit's step (or a central function) ran longer than the step timeout: it fails and its worker host is replaced. */
  StepTimeout: 'SKY_STEP_TIMEOUT',
  /** Inline/laptop: the event loop emptied while units still waited on promises that can never settle. */
  Stalled: 'SKY_STALLED',
  /** A value that must cross a thread cannot be structured-cloned (a function, a class instance); the message names the path. */
  NotCloneable: 'SKY_NOT_CLONEABLE',
  /** `put(value, { transfer: true })` of a value whose buffers are not plain, live and the unit's own. */
  Transfer: 'SKY_TRANSFER',
  /**
   * A unit used an array it had only on lease after the lease ended: what `get`/`take` returned, a value
   * it put or a `scratch` array, used after its next pause (verify mode detaches them there).
   */
  LeaseExpired: 'SKY_LEASE_EXPIRED',
  /** Warning (verify mode): a ref handle was garbage-collected while the store still held its value: it was never freed deterministically. */
  RefLeaked: 'SKY_REF_LEAKED',
  /** A worker thread could not load an algorithm from its module by name (not exported, or the module fails to load). */
  AlgorithmNotFound: 'SKY_ALGORITHM_NOT_FOUND',
  /** A member did not reach a gather before its `quorum` was met or its `deadline` passed: it fails for that group. */
  GatherLate: 'SKY_GATHER_LATE',
  /** On resume, a retried member reached a gather whose recorded membership leaves it out: it fails for that group. */
  NotAMember: 'SKY_NOT_A_MEMBER',
  /** A run's ledger (`ledger.sqlite` or its WAL) cannot be read as it is: the message says what is damaged and what can still be recovered. */
  LedgerDamaged: 'SKY_LEDGER_DAMAGED',
  /** A run directory whose ledger has no run record and nothing recorded: the run was stopped in its first milliseconds. */
  RunNotStarted: 'SKY_RUN_NOT_STARTED',
  /** Another live process holds the run directory's lock (`run.lock`); the message names its pid. */
  RunLocked: 'SKY_RUN_LOCKED',
  /** A directory skyloom must create (run directory, `--out`, spill directory) cannot be created there. */
  DirectoryUnusable: 'SKY_DIRECTORY_UNUSABLE',
  /** `--resume` with a flag that contradicts the options the run was recorded with. */
  ResumeConflict: 'SKY_RESUME_CONFLICT',
  /** A module skyloom was asked to load (`skyloom exec`'s program, a user's `.ts` algorithm module) is not a file. */
  ModuleNotFound: 'SKY_MODULE_NOT_FOUND',
  /** A user's TypeScript module cannot be compiled (a syntax error): the message names the file, line and column. */
  ModuleSyntax: 'SKY_MODULE_SYNTAX',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorDetails {
  /** The unit the error is about. */
  readonly unitPath?: string;
  /** The primitive site within that unit, e.g. `gather#2`. */
  readonly site?: string;
  /** Every unit involved, for collective errors. */
  readonly units?: readonly string[];
  /** The ref involved, for store errors. */
  readonly ref?: string;
  readonly cause?: unknown;
}

export class SkyloomError extends Error {
  readonly code: ErrorCode;
  readonly unitPath: string | undefined;
  readonly site: string | undefined;
  readonly units: readonly string[];
  readonly ref: string | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, 'cause' in details ? { cause: details.cause } : undefined);
    this.name = 'SkyloomError';
    this.code = code;
    this.unitPath = details.unitPath;
    this.site = details.site;
    this.units = details.units ?? (details.unitPath === undefined ? [] : [details.unitPath]);
    this.ref = details.ref;
  }
}

/** Bad input at the public boundary: says what was expected and what was got. */
export class SkyloomTypeError extends TypeError {
  readonly code: ErrorCode;
  readonly expected: string;
  readonly got: string;
  readonly unitPath: string | undefined;
  readonly site: string | undefined;

  constructor(what: string, expected: string, got: string, details: ErrorDetails & { code?: ErrorCode } = {}) {
    const where = details.unitPath === undefined ? '' : ` (unit ${details.unitPath}${details.site ? ` at ${details.site}` : ''})`;
    super(`${what}: expected ${expected}, got ${got}${where}`);
    this.name = 'SkyloomTypeError';
    this.code = details.code ?? ErrorCode.InvalidArgument;
    this.expected = expected;
    this.got = got;
    this.unitPath = details.unitPath;
    this.site = details.site;
  }
}

/** The error a parent's `scatter` (or `run`, for the root) throws when a member of the group failed. */
export function unitFailed(unitPath: string, site: string, cause: unknown): SkyloomError {
  const reason = cause instanceof Error ? `${codeOf(cause) ?? cause.name}: ${cause.message}` : `${codeOf(cause) === undefined ? '' : `${codeOf(cause)}: `}${describeThrown(cause)}`;
  return new SkyloomError(ErrorCode.UnitFailed, `unit ${unitPath} failed at ${site}: ${reason}`, { unitPath, site, cause });
}

export function cancelled(unitPath: string): SkyloomError {
  return new SkyloomError(ErrorCode.Cancelled, `unit ${unitPath} was cancelled`, { unitPath });
}

/**
 * Words for something thrown that is not an Error (`throw { code: 'X' }`, `throw 'text'`): the value
 * as JSON where it can be written so (not "[object Object]"). Never throws.
 */
export function describeThrown(value: unknown): string {
  try {
    return `a thrown ${typeof value === 'object' && value !== null ? (JSON.stringify(value) ?? String(value)) : String(value)}`;
  } catch {
    return `a thrown ${Object.prototype.toString.call(value)}`;
  }
}

/** The stable code of an error, if it has one. Never throws. */
export function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
