/**
 * The first frame a host process sends: who it is and the run's secret. The secret is compared in
 * constant time (of two SHA-256 digests, so lengths do not leak either).
 *
 * It does not cover how the secret reaches the host (srun's environment: see `slurm-launcher.ts`).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface HostHello {
  readonly secret: string;
  /** SLURM_PROCID of the task. */
  readonly task: number;
  /** The node it runs on (SLURMD_NODENAME). */
  readonly node: string;
  readonly pid: number;
}

/** Environment variables of a host process. */
export const hostEnv = { coordinator: 'SKYLOOM_COORDINATOR', secret: 'SKYLOOM_RUN_SECRET', heartbeatMs: 'SKYLOOM_HEARTBEAT_MS', timeoutMs: 'SKYLOOM_HEARTBEAT_TIMEOUT_MS' } as const;

export function newRunSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The hello if `message` is one carrying `secret`; undefined otherwise. Never throws. */
export function checkHello(message: unknown, secret: string): HostHello | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const hello = message as Partial<HostHello>;
  if (typeof hello.secret !== 'string') return undefined;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  if (!timingSafeEqual(digest(hello.secret), digest(secret))) return undefined;
  return { secret: hello.secret, task: Number(hello.task), node: String(hello.node), pid: Number(hello.pid) };
}
