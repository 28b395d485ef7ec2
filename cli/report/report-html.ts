/**
 * Assembles the run report: one self-contained HTML file (no network: d3 and Observable Plot are
 * inlined from node_modules, the data as JSON, the drawing code from `report-charts.js`). The per-level
 * table is written here as HTML; the charts are drawn by Plot when the page opens. Does not read the
 * ledger (see `run-data.ts`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { formatMs } from '../format.ts';
import type { FocalVisit } from './focal-plane.ts';
import type { RunData } from './run-data.ts';
import { assignLanes } from './lanes.ts';
import { sampleIntervalMs } from '../../lib/ledger/timeline-recorder.ts';
import { referenceFluxLimit } from '../../algorithms/sky/star-field.ts';

const require = createRequire(import.meta.url);

/**
 * A package's browser bundle: the file its `exports` names under the `umd` condition (d3 and Plot
 * both declare one). Found from the package's resolved entry, wherever npm put it.
 */
function umdBundle(name: string): string {
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, 'package.json')) || (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name !== name) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the package directory of ${name}`);
    dir = up;
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports?: { umd?: string } };
  if (!manifest.exports?.umd) throw new Error(`${name} declares no umd bundle in its exports`);
  return readFileSync(join(dir, manifest.exports.umd), 'utf8');
}

function libraries(): string {
  const d3 = umdBundle('d3');
  const plot = umdBundle('@observablehq/plot');
  const charts = readFileSync(new URL('./report-charts.js', import.meta.url), 'utf8');
  return [d3, plot].map(script).join('\n') + `\n<script id="report-charts">\n${scriptSafe(charts)}\n</script>`;
}

const script = (code: string): string => `<script>\n${scriptSafe(code)}\n</script>`;

/** Nothing inside a <script> may close it. */
const scriptSafe = (code: string): string => code.replace(/<\/(script)/gi, '<\\/$1');

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function reportHtml(data: RunData, focal: readonly FocalVisit[] | undefined): string {
  const { run } = data;
  const lanes = assignLanes(data.steps);
  const payload = {
    title: `${run.name} · ${run.runner}`,
    runner: run.runner,
    steps: data.steps.map((s, i) => ({ ...s, lane: lanes.labels[lanes.of[i] ?? 0] })),
    lanes: lanes.labels,
    gathers: data.gathers,
    samples: data.samples,
    focal: focal ?? [],
  };
  const json = JSON.stringify(payload).replace(/</g, '\\u003c');
  const title = `skyloom run report: ${run.name} (${run.runner})`;
  const wall = run.ended ? Date.parse(run.ended) - Date.parse(run.started) : undefined;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${css}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${escapeHtml(`${run.module}#${run.name}, seed ${run.seed}, runner ${run.runner}, skyloom ${run.skyloomVersion}; started ${run.started}${wall === undefined ? '' : `, ${formatMs(wall)}`}: ${run.outcome ?? 'did not end (interrupted?)'}; run directory ${data.runDir}`)}</p>
${data.hasTimeline ? '' : '<p class="warn">This ledger has no steps or memory samples (written by an older skyloom): the timeline and memory charts are empty.</p>'}
<section><h2>Timeline</h2>
<p class="note">Every unit step (from its start or resume to its next pause) as a bar, in the lane of the host/thread that ran it (${escapeHtml(laneNote(run.runner))}); colour: the top-level unit; red: a unit that failed. Diamonds: collectives completing.</p>
<div class="chart" id="timeline"></div></section>
<section><h2>Memory</h2>
<p class="note">Store bytes resident (peak within each ${sampleIntervalMs} ms sample; summed over hosts), of which units' scratch arrays and taken values (their leases, peak within the sample), and spilled to disk (from the budgeted store's events; none without a budget), the budget, and the process's RSS, V8 heap and ArrayBuffer bytes.</p>
<div class="chart" id="memory"></div>
<p class="note">Spill write and read rates (bytes per second between samples).</p>
<div class="chart" id="spill-rates"></div></section>
<section><h2>Levels</h2>
<p class="note">Time: the span covered by the level's units (overlapping units counted once).</p>
${levelTableHtml(data)}</section>
${focal ? focalSection(focal) : '<section><h2>Focal plane</h2><p class="note">Not a run of a shipped visit algorithm: no focal-plane plots.</p></section>'}
${libraries()}
<script type="application/json" id="report-data">${json}</script>
<script>drawReport(JSON.parse(document.getElementById('report-data').textContent));</script>
</body></html>
`;
}

function laneNote(runner: string): string {
  return runner === 'cluster' || runner === 'slurm'
    ? `the ${runner} runner runs every unit on a worker host, which stamps each step's times on its own clock`
    : `the ${runner} runner runs every step on the main thread; a second lane holds steps that overlapped the first's, interleaved at awaits`;
}

function levelTableHtml(data: RunData): string {
  const rows = data.levels.map((l) => `<tr><td>${l.depth}</td><td>${escapeHtml(l.label)}</td><td>${l.units}</td><td>${formatMs(l.spanMs)}</td><td>${formatMs(l.longestMs)}</td><td>${l.attempts}</td><td class="${l.failures ? 'bad' : ''}">${l.failures}</td></tr>`);
  return `<table id="levels"><thead><tr><th>depth</th><th>level</th><th>units</th><th>time</th><th>longest unit</th><th>attempts</th><th>failures</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function focalSection(visits: readonly FocalVisit[]): string {
  const options = visits.map((v, i) => `<option value="${i}">visit ${v.visit}</option>`).join('');
  const panel = (id: string, caption: string): string => `<figure><figcaption>${caption}</figcaption><div class="chart focal" id="${id}"></div></figure>`;
  return `<section><h2>Focal plane</h2>
<p class="note">The models the run fitted, evaluated on a grid over every sensor (nominal focal-plane pixels), next to the synthetic truth. <label>Visit <select id="visit">${options}</select></label></p>
<div class="row">${panel('fp-background', 'background, fitted (ADU)')}${panel('fp-background-truth', 'background, truth (ADU)')}</div>
<div class="row">${panel('fp-sources', 'sources detected per sensor')}${panel('fp-sources-truth', `true stars per sensor, flux ≥ ${referenceFluxLimit} (the reference catalog’s limit)`)}</div>
<div class="row">${panel('fp-psf', 'PSF size, fitted (px)')}${panel('fp-psf-truth', 'PSF size, truth (px)')}</div>
<div class="row">${panel('fp-residuals', 'astrometric residual, model − truth (arrows scaled to the largest)')}${panel('fp-distortion', 'distortion, as fitted (truth + residual)')}${panel('fp-distortion-truth', 'distortion, truth')}</div>
</section>`;
}

const css = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em 2em; color: #222; max-width: 1400px; }
h1 { font-size: 1.4em; margin-bottom: .2em; } h2 { font-size: 1.15em; margin: 1.4em 0 .3em; border-bottom: 1px solid #ddd; }
.meta, .note { color: #555; margin: .3em 0; } .warn { color: #a40; }
.row { display: flex; flex-wrap: wrap; gap: 1em; } figure { margin: 0; } figcaption { font-size: .9em; color: #444; }
table { border-collapse: collapse; } th, td { padding: .2em .8em; border-bottom: 1px solid #eee; text-align: right; }
th:nth-child(2), td:nth-child(2) { text-align: left; } td.bad { color: #c00; font-weight: bold; }
`;
