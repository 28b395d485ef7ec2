/**
 * The local Slurm cluster of `.ci/slurm-up.sh` for a test file: `useLocalSlurm()` starts it (or joins
 * the one running) before the file's tests and releases it after them. If it cannot start, the tests
 * fail with the script's message: Slurm tests never skip silently.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';

const run = promisify(execFile);
const ci = (name: string) => fileURLToPath(new URL(`../../../.ci/${name}`, import.meta.url));
const env = () => ({ ...process.env, SKYLOOM_SLURM_LEASE: String(process.pid) });

export function useLocalSlurm(): void {
  beforeAll(async () => {
    try {
      const { stdout } = await run(ci('slurm-up.sh'), [], { env: env(), timeout: 240_000 });
      const conf = /^SLURM_CONF=(.+)$/m.exec(stdout)?.[1];
      if (!conf) throw new Error(`slurm-up.sh printed no SLURM_CONF line: ${stdout}`);
      process.env.SLURM_CONF = conf;
    } catch (error) {
      const e = error as Error & { stderr?: string };
      throw new Error(`the local Slurm cluster did not start (.ci/slurm-up.sh; install with: apt-get install -y slurm-wlm munge): ${e.stderr ?? e.message}`);
    }
  }, 250_000);
  afterAll(async () => {
    await run(ci('slurm-down.sh'), [], { env: env(), timeout: 60_000 });
  }, 70_000);
}
