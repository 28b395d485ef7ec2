/**
 * `skyloom report DIR [-o FILE]`: writes the run report of a run directory, one self-contained HTML
 * file (default `DIR/report.html`), and prints its path and size. Read-only on the run. See
 * `report/` for what the report holds.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatBytes } from './format.ts';
import { focalPlaneVisits } from './report/focal-plane.ts';
import { reportHtml } from './report/report-html.ts';
import { readRunData } from './report/run-data.ts';

/** Writes the report of `runDir` to `out` (default `runDir/report.html`); returns the file's path and size. */
export async function writeReport(runDir: string, out?: string): Promise<{ file: string; bytes: number }> {
  const data = await readRunData(runDir);
  const html = reportHtml(data, focalPlaneVisits(data.input, data.output));
  const file = out ?? join(runDir, 'report.html');
  writeFileSync(file, html);
  return { file, bytes: Buffer.byteLength(html) };
}

export async function reportCommand(runDir: string, out: string | undefined): Promise<number> {
  const { file, bytes } = await writeReport(runDir, out);
  process.stdout.write(`${file} (${formatBytes(bytes)})\n`);
  return 0;
}
