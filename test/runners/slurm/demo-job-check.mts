/**
 * A long check kept out of the default test run (~1-3 minutes): the demo job of `skyloom run` on
 * `--runner slurm --tasks 2` writes a result.json byte-identical to `--runner inline`'s. Needs the
 * local Slurm cluster (.ci/slurm-up.sh) and SLURM_CONF.
 *
 *   npm run test:slurm-demo [-- --visits 4]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { visits: { type: 'string', default: '1' } } });
const main = fileURLToPath(new URL('../../../cli/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'skyloom-demo-'));
const runOn = (runner: string, extra: string[]): Buffer => {
  const out = join(dir, runner);
  execFileSync(process.execPath, ['--import', 'tsx', main, 'run', '--runner', runner, ...extra, '--visits', String(values.visits), '--out', out, '--no-progress'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return readFileSync(join(out, 'result.json'));
};
try {
  const inline = runOn('inline', []);
  const slurm = runOn('slurm', ['--tasks', '2']);
  const same = inline.equals(slurm);
  console.log(`demo job, ${values.visits} visit(s): result.json on slurm (2 tasks) ${same ? 'is byte-identical to' : 'DIFFERS from'} inline's (${inline.length} bytes)`);
  process.exitCode = same ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
