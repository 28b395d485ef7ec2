// Draws the run report's charts in the browser with Observable Plot (global `Plot`, with `d3`), from the
// data `report-html.ts` inlines. A plain browser script, inlined as is: no imports, no build step.
// Defines one global, `drawReport(data)`; it sets `document.body.dataset.drawn` when every chart is drawn.
/* global Plot, d3 */
/* eslint-disable no-unused-vars */
function drawReport(data) {
  const bytes = (x) => (x == null ? '' : `${d3.format('.3~s')(x)}B`);
  const place = (id, chart) => {
    const el = document.getElementById(id);
    if (el) el.replaceChildren(chart);
  };
  const failedColour = '#d62728';

  // Timeline: one bar per step, per lane; collectives as diamonds in a row of their own.
  const tops = [...new Set(data.steps.map((s) => s.top))];
  const palette = d3.schemeTableau10.filter((c) => c !== '#e15759');
  const gathersRow = 'collectives';
  place(
    'timeline',
    Plot.plot({
      width: 1200,
      height: 90 + 34 * (data.lanes.length + 1),
      marginLeft: 90,
      x: { label: 'seconds since the run started', grid: true },
      y: { label: null, domain: [...data.lanes, gathersRow] },
      color: { legend: true, domain: [...tops, 'failed'], range: [...tops.map((_, i) => palette[i % palette.length]), failedColour] },
      marks: [
        Plot.barX(data.steps, {
          x1: (s) => s.start / 1000,
          x2: (s) => s.end / 1000,
          y: 'lane',
          fill: (s) => (s.failed ? 'failed' : s.top),
          inset: 0.5,
          title: (s) => `${s.path}\n${((s.end - s.start) / 1000).toFixed(3)} s, ended: ${s.ending}${s.site ? ` at ${s.site}` : ''}`,
        }),
        // Steps of no measurable length (under 1 ms) as ticks, so they still show.
        Plot.tickX(
          data.steps.filter((s) => s.end - s.start < 1),
          { x: (s) => s.start / 1000, y: 'lane', stroke: (s) => (s.failed ? 'failed' : s.top), title: (s) => `${s.path}: a step of no recorded length, ended: ${s.ending}` },
        ),
        Plot.dot(data.gathers, { x: (g) => g.at / 1000, y: () => gathersRow, symbol: 'diamond', fill: '#333', r: 3, title: (g) => `${g.group} gather #${g.number} (${g.members} members)` }),
      ],
    }),
  );

  // Memory over time, long format: one line per series; the budget dashed.
  const series = [
    ['store resident (peak)', 'residentPeak'],
    ['store spilled', 'spilled'],
    ['scratch + taken (peak)', 'heldPeak'],
    ['process RSS', 'rss'],
    ['V8 heap', 'heap'],
    ['ArrayBuffers', 'arrayBuffers'],
  ];
  const memory = series.flatMap(([name, key]) => data.samples.filter((s) => s[key] != null).map((s) => ({ t: s.t / 1000, name, bytes: s[key] })));
  const budget = data.samples.filter((s) => s.budget != null).map((s) => ({ t: s.t / 1000, bytes: s.budget }));
  const overTime = (height, yLabel) => ({ width: 1200, height, marginLeft: 70, x: { label: 'seconds since the run started', grid: true }, y: { label: yLabel, tickFormat: bytes, grid: true } });
  place(
    'memory',
    Plot.plot({
      ...overTime(320, 'bytes'),
      color: { legend: true, domain: [...series.map(([name]) => name), 'budget'] },
      marks: [
        Plot.line(memory, { x: 't', y: 'bytes', stroke: 'name', curve: 'step-after', title: (d) => `${d.name}: ${bytes(d.bytes)}` }),
        Plot.line(budget, { x: 't', y: 'bytes', stroke: () => 'budget', strokeDasharray: '6 4', strokeWidth: 2 }),
        Plot.ruleY([0]),
      ],
    }),
  );
  const rates = data.samples.flatMap((s) => [
    { t: s.t / 1000, name: 'spill write', rate: s.spillWriteRate },
    { t: s.t / 1000, name: 'spill read', rate: s.spillReadRate },
  ]);
  place(
    'spill-rates',
    Plot.plot({
      ...overTime(200, 'bytes / s'),
      color: { legend: true },
      marks: [Plot.line(rates, { x: 't', y: 'rate', stroke: 'name', curve: 'step-before' }), Plot.ruleY([0])],
    }),
  );

  const select = document.getElementById('visit');
  if (select && data.focal.length > 0) {
    const drawFocal = () => drawFocalPlane(data.focal[Number(select.value)] ?? data.focal[0]);
    select.addEventListener('change', drawFocal);
    drawFocal();
  }
  document.body.dataset.drawn = 'true';

  function drawFocalPlane(visit) {
    const xs = visit.sensors.flatMap((s) => [s.x1, s.x2]);
    const ys = visit.sensors.flatMap((s) => [s.y1, s.y2]);
    const frame = { x: { domain: d3.extent(xs), label: 'focal-plane x (px)' }, y: { domain: d3.extent(ys), label: 'y (px)' } };
    const outlines = Plot.rect(visit.sensors, { x1: 'x1', x2: 'x2', y1: 'y1', y2: 'y2', stroke: '#333', strokeWidth: 0.5, fill: 'none' });
    const square = { width: 380, height: 380, marginLeft: 60, ...frame };
    const map = (id, key, domain, label) =>
      place(
        id,
        Plot.plot({
          ...square,
          color: { type: 'linear', scheme: 'viridis', domain, legend: true, label },
          marks: [Plot.rect(visit.cells, { x1: 'x1', x2: 'x2', y1: 'y1', y2: 'y2', fill: key }), outlines],
        }),
      );
    const shared = (a, b) => d3.extent(visit.cells.flatMap((c) => [c[a], c[b]]).filter((v) => v != null));
    const background = shared('background', 'trueBackground');
    map('fp-background', 'background', background, 'ADU');
    map('fp-background-truth', 'trueBackground', background, 'ADU');
    const psf = shared('psf', 'truePsf');
    map('fp-psf', 'psf', psf, 'px');
    map('fp-psf-truth', 'truePsf', psf, 'px');
    // Sources detected and true stars per sensor, on one colour scale.
    const counts = [0, d3.max(visit.sensors.flatMap((s) => [s.sources ?? 0, s.trueStars])) || 1];
    const perSensor = (id, key, label) =>
      place(
        id,
        Plot.plot({
          ...square,
          color: { type: 'linear', scheme: 'blues', domain: counts, legend: true, label },
          marks: [
            Plot.rect(visit.sensors, { x1: 'x1', x2: 'x2', y1: 'y1', y2: 'y2', fill: key, stroke: '#333', strokeWidth: 0.5 }),
            Plot.text(visit.sensors, { x: (s) => (s.x1 + s.x2) / 2, y: (s) => (s.y1 + s.y2) / 2, text: (s) => (s[key] == null ? '–' : String(s[key])), fontSize: 10, fill: 'black', stroke: 'white' }),
          ],
        }),
      );
    perSensor('fp-sources', 'sources', 'sources');
    perSensor('fp-sources-truth', 'trueStars', 'stars');
    // Arrows: Plot's `rotate` is clockwise from up, and y grows upwards here.
    const arrows = (id, dx, dy, colour) => {
      const longest = d3.max(visit.vectors, (v) => Math.hypot(v[dx], v[dy])) || 1;
      place(
        id,
        Plot.plot({
          ...square,
          length: { domain: [0, longest], range: [0, 22] },
          marks: [
            outlines,
            Plot.vector(visit.vectors, {
              x: 'x',
              y: 'y',
              length: (v) => Math.hypot(v[dx], v[dy]),
              rotate: (v) => (Math.atan2(v[dx], v[dy]) * 180) / Math.PI,
              stroke: colour,
              title: (v) => `(${v[dx].toFixed(3)}, ${v[dy].toFixed(3)}) px`,
            }),
            Plot.text([`longest ${longest.toPrecision(2)} px`], { frameAnchor: 'top-right', dy: -14 }),
          ],
        }),
      );
    };
    arrows('fp-residuals', 'rx', 'ry', '#c0392b');
    arrows('fp-distortion', 'fx', 'fy', '#1f77b4');
    arrows('fp-distortion-truth', 'tx', 'ty', '#2ca02c');
  }
}
