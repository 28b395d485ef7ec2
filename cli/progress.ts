/**
 * The progress bar on stderr, drawn with cli-progress from the job's event observable: units done,
 * the latest collective round, resident and spilled store bytes. Draws nothing when stderr is not a
 * terminal (cli-progress's own rule), so logs and `--json` output stay clean.
 */
import cliProgress from 'cli-progress';
import type { Observable } from 'rxjs';
import type { RunEvent } from '../lib/index.ts';
import { formatBytes } from './format.ts';

export interface ProgressHandle {
  /** Stops drawing; call once the run ended. Never throws. */
  stop(): void;
}

export function showProgress(events: Observable<RunEvent>, totalUnits: number): ProgressHandle {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: ' {bar} {value}/{total} units | round {round} | resident {resident} | spilled {spilled}',
      hideCursor: true,
      clearOnComplete: false,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const state = { round: 0, resident: 0, spilled: 0 };
  const payload = (): Record<string, string | number> => ({ round: state.round, resident: formatBytes(state.resident), spilled: formatBytes(state.spilled) });
  bar.start(totalUnits, 0, payload());
  let done = 0;
  const subscription = events.subscribe((event) => {
    if (event.type === 'unit-finished') done++;
    else if (event.type === 'collective-completed') state.round = Math.max(state.round, event.number);
    else if (event.type === 'memory') [state.resident, state.spilled] = [event.resident, event.spilled];
    else return;
    bar.update(done, payload());
  });
  return {
    stop(): void {
      subscription.unsubscribe();
      bar.stop();
    },
  };
}
