/**
 * The `skyloom` command line, with commander. `run` (the default command) is the main job; see
 * `run-command.ts`. Exit codes: 0 success, 1 failure, 2 usage error. Run as `npx skyloom` (through
 * `bin.mjs`) or directly with `node --import tsx cli/main.ts`.
 */
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { cameraPresetNames } from '../algorithms/index.ts';
import { defaultRunOptions, resolveRunOptions, runnerNames, UsageError } from './options.ts';
import { runCommand } from './run-command.ts';
import { availableRunners, RunnerUnavailableError } from './runner-factory.ts';

function program(setExitCode: (code: number) => void): Command {
  const root = new Command('skyloom')
    .description('Full-focal-plane algorithms as coroutines: the same code inline, on a laptop (memory budget) or a many-core node.')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  root
    .command('run', { isDefault: true })
    .description('process visits of a synthetic camera (background, detection, astrometry, PSF) and print a summary')
    .addOption(new Option('--camera <name>', `camera preset (${cameraPresetNames.join(', ')})`).default(defaultRunOptions.camera))
    .addOption(new Option('--visits <n>', 'number of visits').default(String(defaultRunOptions.visits)))
    .addOption(new Option('--runner <name>', `runner (${runnerNames.join(', ')}; available now: ${availableRunners().join(', ')})`).default(defaultRunOptions.runner))
    .addOption(new Option('--memory <size>', 'memory budget of the laptop runner (per worker for cluster), e.g. 2GB').default(defaultRunOptions.memory))
    .addOption(new Option('--workers <n>', 'worker threads of the cluster runner').default(String(defaultRunOptions.workers)))
    .addOption(new Option('--seed <n>', 'seed of the synthetic sky and of ctx.random').default(String(defaultRunOptions.seed)))
    .addOption(new Option('--out <dir>', 'write summary.json, result.json, events.ndjson (and the run directory) there'))
    .addOption(new Option('--json', 'print a machine-readable summary on stdout (logs stay on stderr)').default(false))
    .addOption(new Option('--no-progress', 'do not draw the progress bar'))
    .action(async (raw: Record<string, unknown>) => setExitCode(await runCommand(resolveRunOptions(raw))));
  return root;
}

/** Runs the command line `argv` (as in process.argv) and returns the exit code. Never rejects. */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  try {
    await program((code) => (exitCode = code)).parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2; // commander printed the message
    if (error instanceof UsageError) {
      process.stderr.write(`skyloom: ${error.message}\n(run with --help for usage)\n`);
      return 2;
    }
    if (error instanceof RunnerUnavailableError) {
      process.stderr.write(`skyloom: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`skyloom: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv);
}
