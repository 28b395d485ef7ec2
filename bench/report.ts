/**
 * bench/report: the run report of a run directory against its targets: file size (< 5 MB) and time
 * to open in Chromium until every chart is drawn (< 3 s), best and median of a few page loads in one
 * browser (the first load also starts the browser's caches). Optionally saves a full-page screenshot.
 * Uses the system Chromium through the tests' helper (playwright-core, no browser download).
 *
 *   npm run bench:report -- RUN_DIR [--repeats 5] [--screenshot docs/report.png]
 *
 * Make the run first, e.g. the main job: `npx skyloom run --out out/` then `npm run bench:report -- out/run`.
 */
import { statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { writeReport } from '../cli/report-command.ts';
import { launchChromium, openReport } from '../test/cli/report/headless-chromium.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { repeats: { type: 'string', default: '5' }, screenshot: { type: 'string' } } });
const runDir = positionals[0];
if (!runDir) throw new Error('usage: npm run bench:report -- RUN_DIR [--repeats 5] [--screenshot file.png]');

const t0 = performance.now();
const { file, bytes } = await writeReport(runDir);
const writeMs = performance.now() - t0;
console.log(`bench/report: ${file}: ${(bytes / 1e6).toFixed(2)} MB (target < 5 MB: ratio ${(bytes / 5e6).toFixed(2)}), written in ${(writeMs / 1000).toFixed(2)} s`);

const browser = await launchChromium();
try {
  const times: number[] = [];
  for (let i = 0; i < Number(values.repeats); i++) {
    const opened = await openReport(browser, file);
    if (opened.errors.length > 0 || opened.network.length > 0) throw new Error(`the report logged errors ${JSON.stringify(opened.errors)} or asked the network for ${JSON.stringify(opened.network)}`);
    times.push(opened.drawnMs);
    if (i === 0 && values.screenshot) await opened.page.screenshot({ path: values.screenshot, fullPage: true });
    await opened.page.close();
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
  console.log(`  open until drawn: first ${(times[0] ?? NaN).toFixed(0)} ms, median ${median.toFixed(0)} ms, best ${(sorted[0] ?? NaN).toFixed(0)} ms [${times.map((t) => t.toFixed(0)).join(', ')}] (target < 3000 ms: ratio ${(median / 3000).toFixed(2)})`);
  console.log(`  load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (values.screenshot) console.log(`  screenshot ${values.screenshot} (${(statSync(values.screenshot).size / 1e3).toFixed(0)} kB)`);
} finally {
  await browser.close();
}
