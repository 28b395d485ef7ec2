import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toDot } from '../../../cli/graph/dot.ts';
import { mermaidEdgeWarning, toMermaid } from '../../../cli/graph/mermaid.ts';
import { unitGraph } from '../../../cli/graph/unit-graph.ts';
import { records } from './graph-records.ts';

function runDot(text: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('dot', ['-Tsvg'], { input: text, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`Graphviz 'dot' did not run (${r.error.message}): install it with 'apt-get install -y graphviz' (.ci/run does)`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the unit graph', () => {
  it('draws every unit, one node per collective joined by every member of its group, and chains collectives in order', () => {
    const { units, collectives } = records(2, 3, 2);
    const g = unitGraph('t', units, collectives, 50);
    expect(g.nodes.filter((n) => n.kind === 'unit')).toHaveLength(units.length);
    const gathers = g.nodes.filter((n) => n.kind === 'gather');
    expect(gathers).toHaveLength(4);
    for (const gather of gathers) expect(g.edges.filter((e) => e.kind === 'gather' && e.to === gather.id)).toHaveLength(3);
    expect(g.edges.filter((e) => e.kind === 'then')).toHaveLength(2);
    expect(g.edges.filter((e) => e.kind === 'scatter')).toHaveLength(2 + 6);
    expect(g.clusters.map((c) => c.label).sort()).toEqual(['root/visit (2 members, 0 collectives)', 'root/visit:0/sensor (3 members, 2 collectives)', 'root/visit:1/sensor (3 members, 2 collectives)']);
  });

  it('collapses a group above the limit into one node with counts by status and of the units below it', () => {
    const { units, collectives } = records(60, 2, 1);
    const g = unitGraph('t', units, collectives, 50);
    const collapsed = g.nodes.filter((n) => n.kind === 'collapsed');
    expect(collapsed.map((n) => n.label)).toEqual(['visit ×60 (1 failed, 59 finished; 120 units below)']);
    expect(collapsed[0]?.status).toBe('mixed');
    expect(g.nodes.filter((n) => n.kind === 'unit').map((n) => n.label)).toEqual(['root']);
  });

  it('gives DOT that Graphviz lays out, with failed units red', () => {
    const { units, collectives } = records(3, 4, 3);
    const dot = toDot(unitGraph('processVisits "quoted" (laptop)', units, collectives, 50));
    const r = runDot(dot);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/<svg/);
    expect(r.stdout).toContain('sensor:3');
    expect(r.stdout).toContain('gather #3');
    expect(dot).toMatch(/label="sensor:1", shape=box, color="#c0392b"/);
    // And the collapsed form too.
    const many = records(70, 2, 2);
    const collapsed = runDot(toDot(unitGraph('t', many.units, many.collectives, 50)));
    expect(collapsed.status, collapsed.stderr).toBe(0);
    expect(collapsed.stdout).toContain('visit ×70');
  });

  it('gives a Mermaid flowchart whose every edge joins declared nodes and whose subgraphs close', () => {
    const { units, collectives } = records(2, 3, 2);
    const text = toMermaid(unitGraph('t', units, collectives, 50));
    const lines = text.split('\n').map((l) => l.trim());
    expect(lines.slice(0, 4)).toEqual(['---', 'title: "skyloom unit graph: t"', '---', 'flowchart TB']);
    const declared = new Set(lines.map((l) => /^(n\d+)[[{(]/.exec(l)?.[1]).filter(Boolean));
    expect(declared.size).toBe(units.length + 4);
    const edges = lines.map((l) => /^(n\d+) (-->|-\.-|==>) (n\d+)$/.exec(l)).filter((m) => m !== null);
    // Scatters 2 + 6; each of the 6 sensors joins its group's first collective (not the second: it follows the first); 2 chains.
    expect(edges).toHaveLength(8 + 6 + 2);
    for (const m of edges) expect(declared.has(m[1]) && declared.has(m[3]), m[0]).toBe(true);
    expect(lines.filter((l) => l.startsWith('subgraph ')).length).toBe(lines.filter((l) => l === 'end').length);
    expect(lines.filter((l) => l.endsWith(':::failed'))).toHaveLength(3);
  });

  it('warns when Mermaid would refuse the diagram (over its default 500 edges), and not otherwise', () => {
    const big = records(10, 36, 10); // 10 × (36 scatters + 36 joins + 9 chains) + 10 = 820 edges
    expect(mermaidEdgeWarning(unitGraph('t', big.units, big.collectives, 50), 50)).toMatch(/^820 edges, more than Mermaid draws by default \(maxEdges 500\): collapse more groups \(--collapse N below 50\)/);
    expect(mermaidEdgeWarning(unitGraph('t', big.units, big.collectives, 30), 30)).toBeUndefined(); // sensor groups collapsed
    const demo = records(4, 36, 10);
    expect(mermaidEdgeWarning(unitGraph('t', demo.units, demo.collectives, 50), 50)).toBeUndefined();
  });
});

describe('skyloom graph', () => {
  const base = mkdtempSync(join(tmpdir(), 'skyloom-graph-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));
  const skyloom = (...args: string[]) => spawnSync(process.execPath, ['cli/bin.mjs', ...args], { encoding: 'utf8', timeout: 120_000 });

  it('prints the graph of a recorded run as DOT that dot accepts, and as Mermaid; refuses another format', () => {
    const out = join(base, 'tiny');
    const ran = skyloom('run', '--camera', 'tiny', '--visits', '2', '--memory', '2MB', '--no-progress', '--json', '--out', out);
    expect(ran.status, ran.stderr).toBe(0);
    const dot = skyloom('graph', join(out, 'run'), '--format', 'dot');
    expect(dot.status, dot.stderr).toBe(0);
    const svg = runDot(dot.stdout);
    expect(svg.status, svg.stderr).toBe(0);
    // 2 visits × 9 sensors, each sensor group with processVisit's 10 collectives.
    expect((svg.stdout.match(/>sensor:\d+</g) ?? []).length).toBe(18);
    expect((svg.stdout.match(/>gather #\d+</g) ?? []).length).toBe(20);
    const mermaid = skyloom('graph', join(out, 'run'), '--format', 'mermaid', '--collapse', '5');
    expect(mermaid.status, mermaid.stderr).toBe(0);
    expect(mermaid.stdout).toContain('(["sensor ×9 (9 finished)"])');
    const bad = skyloom('graph', join(out, 'run'), '--format', 'svg');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--format: expected one of dot, mermaid/);
    for (const command of ['graph', 'report']) {
      const notARun = skyloom(command, base);
      expect(notARun.status, command).toBe(2);
      expect(notARun.stderr).toMatch(/SKY_NOT_A_RUN/);
    }
  }, 180_000); // six CLI processes: ~10 s alone, several times that on a loaded machine
});
