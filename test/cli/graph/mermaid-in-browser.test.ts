import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { mermaidEdges, toMermaid } from '../../../cli/graph/mermaid.ts';
import { unitGraph } from '../../../cli/graph/unit-graph.ts';
import { launchChromium } from '../report/headless-chromium.ts';
import { records } from './graph-records.ts';

// Mermaid itself (its browser bundle, in headless Chromium) parses and lays out what `toMermaid` prints.
const mermaidBundle = join(dirname(createRequire(import.meta.url).resolve('mermaid/package.json')), 'dist', 'mermaid.min.js');

let launched: Promise<Browser> | undefined;
const browser = (): Promise<Browser> => (launched ??= launchChromium());
afterAll(async () => {
  await (await launched?.catch(() => undefined))?.close();
});

/** Mermaid's parse and render of `text`: the SVG's node and edge counts, or the error it gives. */
async function renderMermaid(text: string): Promise<{ nodes: number; edges: number; clusters: number } | { error: string }> {
  const page = await (await browser()).newPage();
  try {
    await page.setContent('<!doctype html><html><body><div id="out"></div></body></html>');
    await page.addScriptTag({ path: mermaidBundle });
    return await page.evaluate(async (source) => {
      const mermaid = (globalThis as unknown as { mermaid: { initialize(o: object): void; parse(t: string): Promise<unknown>; render(id: string, t: string): Promise<{ svg: string }> } }).mermaid;
      mermaid.initialize({ startOnLoad: false }); // Mermaid's defaults, as where a user pastes it (maxEdges 500)
      try {
        await mermaid.parse(source);
        const { svg } = await mermaid.render('graph', source);
        const doc = (globalThis as unknown as { document: { getElementById(id: string): { innerHTML: string; querySelectorAll(selector: string): { length: number } } } }).document;
        const out = doc.getElementById('out');
        out.innerHTML = svg;
        return { nodes: out.querySelectorAll('g.node').length, edges: out.querySelectorAll('path.flowchart-link').length, clusters: out.querySelectorAll('g.cluster').length };
      } catch (error) {
        return { error: String(error) };
      }
    }, text);
  } finally {
    await page.close();
  }
}

describe('the Mermaid unit graph, in Mermaid', () => {
  it('parses and lays out with Mermaid’s defaults, a node per unit and collective and an edge per line, collapsed or not, the demo run’s size too', async () => {
    const { units, collectives } = records(2, 3, 2);
    const graph = unitGraph('processVisits "quoted" (laptop)', units, collectives, 50);
    const drawn = await renderMermaid(toMermaid(graph));
    expect(drawn).toEqual({ nodes: graph.nodes.length, edges: mermaidEdges(graph).length, clusters: graph.clusters.length });

    const many = records(70, 2, 2);
    const collapsed = unitGraph('t', many.units, many.collectives, 50);
    expect(await renderMermaid(toMermaid(collapsed))).toEqual({ nodes: collapsed.nodes.length, edges: mermaidEdges(collapsed).length, clusters: collapsed.clusters.length });
    // The demo run's shape (4 visits × 36 sensors, 10 collectives each): within Mermaid's default 500 edges.
    const demo = records(4, 36, 10);
    const demoGraph = unitGraph('demo', demo.units, demo.collectives, 50);
    expect(demoGraph.edges.length).toBeGreaterThan(500);
    expect(await renderMermaid(toMermaid(demoGraph))).toEqual({ nodes: demoGraph.nodes.length, edges: mermaidEdges(demoGraph).length, clusters: demoGraph.clusters.length });
  }, 120_000);

  it('rejects text that is not a flowchart (the check can fail)', async () => {
    expect(await renderMermaid('flowchart TB\n  a[unclosed --> b')).toMatchObject({ error: expect.stringMatching(/Parse error|Syntax error|Expecting/i) });
  }, 120_000);
});
