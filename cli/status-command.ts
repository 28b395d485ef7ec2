/**
 * `skyloom status DIR`: what the ledger of a run says — units by status, failures with their errors,
 * time and store bytes per level of the unit tree. `--json` prints the same as JSON. Read-only.
 */
import { readRunStatus, type RunStatus } from '../lib/ledger/run-status.ts';
import { formatBytes, formatMs, formatTable } from './format.ts';

export function statusCommand(runDir: string, json: boolean): number {
  const status = readRunStatus(runDir);
  process.stdout.write(json ? `${JSON.stringify(status)}\n` : `${statusText(status)}\n`);
  return 0;
}

export function statusText(s: RunStatus): string {
  const counts = Object.entries(s.byStatus).map(([k, n]) => `${n} ${k}`).join(', ');
  const lines = [
    `run ${s.runDir}`,
    `algorithm ${s.run.name} (${s.run.module}), seed ${s.run.seed}, runner ${s.run.runner}, skyloom ${s.run.skyloomVersion}`,
    `started ${s.run.started}${s.run.ended ? `, ended ${s.run.ended}` : ''}: ${s.run.outcome ?? 'did not end (interrupted?)'}`,
    ...(s.run.options ? [`options: ${Object.entries(s.run.options).filter(([, v]) => v !== null && v !== false).map(([k, v]) => `${k} ${String(v)}`).join(', ')}`] : []),
    `units: ${s.units} (${counts}); collectives: ${s.collectives}; inputs kept: ${s.run.keep}`,
    '',
    formatTable(
      ['depth', 'units', 'total time', 'longest unit', 'bytes put', 'most by one unit'],
      s.levels.map((l) => [String(l.depth), String(l.units), formatMs(l.totalMs), formatMs(l.longestMs), formatBytes(l.bytesPut), formatBytes(l.mostBytesPut)]),
    ),
  ];
  if (s.failures.length > 0) {
    lines.push('', 'failures:');
    for (const f of s.failures) lines.push(`  ${f.path} at ${f.site} [${f.code}] ${f.message} (attempts: ${f.attempts})`);
  }
  return lines.join('\n');
}
