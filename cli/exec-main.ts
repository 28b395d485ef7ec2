/**
 * The quick way into `skyloom exec <program> [args...]`: `bin.mjs` imports this module instead of
 * `main.ts` when the command line starts with `exec <program>`, so the user's program does not first
 * wait for the whole command line to load (commander, the camera pipeline, the run report: ~0.3 s of
 * a loaded 2-core machine, measured by bench/ts-speed.mjs's process times). Everything after the
 * program belongs to the program, `--debug` included.
 *
 * Exit codes as `main.ts`'s: the program's own exit code; 2 when the program file is not there
 * (`SKY_MODULE_NOT_FOUND`); 1 for any other error (a coded one printed as `[CODE] message`, anything
 * the program threw with its stack, as node prints it). Not covered: `skyloom exec` with no program, or
 * an option before it (`--help`): `main.ts` (commander) handles those.
 */
import { ErrorCode, codeOf } from '../lib/errors.ts';
import { execCommand } from './exec-command.ts';
import { describeError } from './format.ts';

/** Runs `argv` (process.argv: node, bin.mjs, 'exec', program, ...args); returns the exit code. Never rejects. */
export async function main(argv: readonly string[]): Promise<number> {
  const [program, ...args] = argv.slice(3);
  if (program === undefined || program.startsWith('-')) return (await import('./main.ts')).main(argv);
  try {
    return await execCommand(program, args);
  } catch (error) {
    const code = codeOf(error);
    if (code === undefined || !(error instanceof Error)) {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      return 1;
    }
    process.stderr.write(`skyloom: ${describeError(error)}\n`);
    return code === ErrorCode.ModuleNotFound ? 2 : 1;
  }
}
