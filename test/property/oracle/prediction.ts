/**
 * What the oracle predicts about a run, in the terms the property compares: the root's output or the
 * failure chain (code and unit path of every error down `cause`), and, for runs in which nothing
 * failed, the units started and collectives completed.
 */

export interface ChainLink {
  readonly code: string;
  readonly unitPath: string | undefined;
}

export type PredictedOutcome = { readonly ok: true; readonly output: { readonly acc: number; readonly arrays: readonly Float64Array[] } } | { readonly ok: false; readonly chain: readonly ChainLink[] };

export interface Prediction {
  readonly outcome: PredictedOutcome;
  /** Some unit failed or some group failed (caught or not): unit and collective sets are then not compared. */
  readonly anyFailure: boolean;
  /** Paths of the units a run starts, sorted. */
  readonly units: readonly string[];
  /** Completed collectives as `group#number/members`, sorted. */
  readonly collectives: readonly string[];
  /** Most arrays one step puts or reads (a derive's source counts twice: read and new version). */
  readonly mostArraysPerStep: number;
}

/** The codes the oracle predicts, spelled out here (not imported from skyloom). */
export const Code = {
  unitFailed: 'SKY_UNIT_FAILED',
  mismatch: 'SKY_COLLECTIVE_MISMATCH',
  earlyReturn: 'SKY_COLLECTIVE_EARLY_RETURN',
  pristine: 'SKY_PRISTINE_VIOLATION',
  notCloneable: 'SKY_NOT_CLONEABLE',
  leaseExpired: 'SKY_LEASE_EXPIRED',
  programThrow: 'ERR_PROGRAM_THROW',
} as const;

/** What a parent that catches a failure folds into its accumulator (the interpreter's `failureSignature`). */
export function signatureOf(chain: readonly ChainLink[]): string {
  return chain.map((link) => `${link.code}@${link.unitPath ?? ''}`).join('<');
}
