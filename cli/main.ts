/**
 * The `skyloom` command line, with commander. `run` (the default command) is the main job; see
 * `run-command.ts`. Exit codes: 0 success, 1 failure, 2 usage error. Run as `npx skyloom` (through
 * `bin.mjs`) or directly with `node --import tsx cli/main.ts`.
 */
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { cameraPresetNames } from '../algorithms/index.ts';
import { defaultRunOptions, parseInteger, resolveRunOptions, runnerNames, UsageError } from './options.ts';
import { ErrorCode, codeOf } from '../lib/index.ts';
import { replayCommand } from './replay-command.ts';
import { reportCommand } from './report-command.ts';
import { graphCommand, graphFormats, parseGraphFormat } from './graph-command.ts';
import { defaultCollapseAbove } from './graph/unit-graph.ts';
import { runCommand } from './run-command.ts';
import { statusCommand } from './status-command.ts';
import { execCommand } from './exec-command.ts';
import { availableRunners, RunnerUnavailableError } from './runner-factory.ts';
import { describeError, formatBytes } from './format.ts';
import { defaultLaptopMemory, defaultLaptopMemoryFraction } from './memory-plan.ts';

function program(setExitCode: (code: number) => void): Command {
  const root = new Command('skyloom')
    .description('Full-focal-plane algorithms as coroutines: the same code inline, on a laptop (memory budget) or a many-core node.')
    .exitOverride()
    .enablePositionalOptions() // so `exec <program>` passes every later option to the program
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', '\nErrors print as [CODE] message; add --debug to any command to print the stack trace too.');
  root
    .command('run', { isDefault: true })
    .description('process visits of a synthetic camera (background, detection, astrometry, PSF) and print a summary')
    .addOption(new Option('--camera <name>', `camera preset (${cameraPresetNames.join(', ')})`).default(defaultRunOptions.camera))
    .addOption(new Option('--visits <n>', 'number of visits').default(String(defaultRunOptions.visits)))
    .addOption(new Option('--runner <name>', `runner (${runnerNames.join(', ')}; available now: ${availableRunners().join(', ')})`).default(defaultRunOptions.runner))
    .addOption(
      new Option(
        '--memory <size>',
        `the whole run's memory budget, e.g. 2GB (cluster: split evenly across the workers). ` +
          `Default: laptop ${defaultLaptopMemoryFraction * 100}% of physical memory (${formatBytes(defaultLaptopMemory())} here), cluster unbudgeted; inline has no budget`,
      ),
    )
    .addOption(new Option('--workers <n>', 'worker threads of the cluster runner').default(String(defaultRunOptions.workers)))
    .addOption(new Option('--tasks <n>', 'Slurm tasks (one host process each) of the slurm runner (default: SLURM_NTASKS inside an allocation, else 2)'))
    .addOption(new Option('--seed <n>', 'seed of the synthetic sky and of ctx.random').default(String(defaultRunOptions.seed)))
    .addOption(new Option('--out <dir>', 'write summary.json, result.json, events.ndjson (and the run directory) there'))
    .addOption(new Option('--json', 'print a machine-readable summary on stdout (logs stay on stderr)').default(false))
    .addOption(new Option('--no-progress', 'do not draw the progress bar'))
    .addOption(new Option('--keep <pattern>', "keep the inputs of units matching this unit-path pattern (or 'all') in the ledger, for replay"))
    .addOption(new Option('--resume <dir>', 'continue the interrupted or failed run recorded in this run directory, with the options it was recorded with (--runner, --memory, --workers, --out may be given anew)'))
    .addOption(new Option('--force', 'override a safety refusal: resume a changed algorithm (or a ledger whose WAL is damaged), run more --workers than cores, start a run estimated not to fit in memory').default(false))
    .addOption(new Option('--sensors <n>', "process only the first n sensors of each visit (e.g. a slice of the lsst camera's 189)"))
    .addOption(new Option('--defective-sensors <n>', 'make n sensors of the camera defective (seeded: dead amplifier, NaN columns); visits go on without them').default('0'))
    .addOption(new Option('--fail-fast', 'a failed sensor fails the run (exit 1) instead of being left out of its visit').default(false))
    .addOption(new Option('--report', 'when the run ends, write the run report (report.html in --out, or in the run directory)').default(false))
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const explicit = Object.keys(raw).filter((key) => command.getOptionValueSource(key) === 'cli');
      setExitCode(await runCommand(resolveRunOptions(raw, explicit)));
    });
  root
    .command('status')
    .description('summarise a run from its ledger: units by status, failures, time and store bytes per level')
    .argument('<dir>', 'the run directory')
    .addOption(new Option('--json', 'print the summary as JSON').default(false))
    .action((dir: string, raw: { json: boolean }) => setExitCode(statusCommand(dir, raw.json)));
  root
    .command('replay')
    .description('re-run one recorded unit alone from its kept input and recorded collective replies; check its output digest')
    .argument('<dir>', 'the run directory')
    .argument('<unit>', 'the unit path, e.g. root/processVisit:0/sensor:3')
    .addOption(new Option('--json', 'print the result as JSON').default(false))
    .action(async (dir: string, unit: string, raw: { json: boolean }) => setExitCode(await replayCommand(dir, unit, raw.json)));
  root
    .command('report')
    .description('write the run report: one self-contained HTML file with the timeline, memory, per-level table and focal-plane plots')
    .argument('<dir>', 'the run directory')
    .addOption(new Option('-o, --out <file>', 'where to write it (default: DIR/report.html)'))
    .action(async (dir: string, raw: { out?: string }) => setExitCode(await reportCommand(dir, raw.out)));
  root
    .command('graph')
    .description('print the unit graph of a run (units, groups, collectives) as Graphviz DOT or Mermaid')
    .argument('<dir>', 'the run directory')
    .addOption(new Option('--format <format>', `output format (${graphFormats.join(', ')})`).default('dot'))
    .addOption(new Option('--collapse <n>', 'draw a group of more than n members as one node with counts').default(String(defaultCollapseAbove)))
    .addOption(new Option('-o, --out <file>', 'write it to a file instead of stdout'))
    .action((dir: string, raw: { format: string; collapse: string; out?: string }) =>
      setExitCode(graphCommand(dir, parseGraphFormat(raw.format), parseInteger(raw.collapse, '--collapse', 1), raw.out)),
    );
  root
    .command('exec')
    .description("run your own program (a .ts file that calls run(), and the .ts modules it imports) compiled: built once into node_modules/.cache/skyloom/ts, then run with plain node")
    .argument('<program>', 'the program file, e.g. main.ts')
    .argument('[args...]', 'arguments the program sees in process.argv.slice(2)')
    .passThroughOptions()
    .allowUnknownOption()
    .action(async (file: string, args: string[]) => setExitCode(await execCommand(file, args)));
  return root;
}

/** Errors about what the user pointed the command at: usage errors (exit 2). */
const refusedInput = new Set<string>([ErrorCode.NotARun, ErrorCode.RunIncompatible, ErrorCode.AlgorithmChanged, ErrorCode.InvalidArgument, ErrorCode.ResumeConflict, ErrorCode.DirectoryUnusable, ErrorCode.RunNotStarted, ErrorCode.ModuleNotFound]);

/**
 * Runs the command line `argv` (as in process.argv) and returns the exit code. Never rejects. An error
 * with a code (every `SkyloomError`) is printed as `[CODE] message` with its causes and no stack trace;
 * `--debug` (anywhere on the line) prints the stack too. Errors without a code are bugs: their stack is printed.
 */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const debug = argv.slice(2).includes('--debug');
  const args = debug ? argv.filter((a, i) => i < 2 || a !== '--debug') : argv;
  try {
    await program((code) => (exitCode = code)).parseAsync([...args]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2; // commander printed the message
    const stack = debug && error instanceof Error && error.stack ? `${error.stack}\n` : '';
    if (error instanceof UsageError) {
      process.stderr.write(`skyloom: ${error.code ? `[${error.code}] ` : ''}${error.message}\n(run with --help for usage)\n${stack}`);
      return 2;
    }
    if (error instanceof RunnerUnavailableError) {
      process.stderr.write(`skyloom: ${error.message}\n${stack}`);
      return 1;
    }
    const code = codeOf(error);
    if (code !== undefined && error instanceof Error) {
      process.stderr.write(`skyloom: ${describeError(error)}\n${stack || '(run with --debug for the stack trace)\n'}`);
      return refusedInput.has(code) ? 2 : 1;
    }
    process.stderr.write(`skyloom: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv);
}
