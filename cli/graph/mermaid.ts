/**
 * A unit graph as a Mermaid flowchart: subgraphs for groups, rectangles for units (failed ones red),
 * rhombi for collectives, a collapsed group as a stadium with its counts. Labels are quoted with
 * Mermaid's `#quot;` entity for quotes, so any unit path is safe. Text only.
 *
 * Members join their group's first collective only, which chains to the next (every member takes part
 * in each): an edge from every member to every collective would pass Mermaid's default limit of 500
 * edges on the 4-visit demo run (1,440 such edges), and Mermaid then refuses the whole diagram.
 */
import type { GraphEdge, GraphNode, UnitGraph } from './unit-graph.ts';

/** Mermaid's default `maxEdges`: it refuses a diagram with more unless the page raises it (a secure setting, not settable from the text). */
export const mermaidDefaultMaxEdges = 500;

/** The edges the Mermaid text draws: member → collective edges to a group's first collective only. */
export function mermaidEdges(graph: UnitGraph): GraphEdge[] {
  const later = new Set(graph.edges.filter((e) => e.kind === 'then').map((e) => e.to));
  return graph.edges.filter((e) => !(e.kind === 'gather' && later.has(e.to)));
}

const label = (text: string): string => `"${text.replace(/"/g, '#quot;')}"`;

function nodeLine(n: GraphNode): string {
  const text = label(n.label);
  const shape = n.kind === 'gather' ? `{${text}}` : n.kind === 'collapsed' ? `([${text}])` : `[${text}]`;
  return `${n.id}${shape}${n.status === 'failed' || n.status === 'mixed' ? ':::failed' : ''}`;
}

/** What to tell the user when Mermaid would refuse the diagram with its default settings; undefined when it would not. */
export function mermaidEdgeWarning(graph: UnitGraph, collapseAbove: number): string | undefined {
  const edges = mermaidEdges(graph).length;
  if (edges <= mermaidDefaultMaxEdges) return undefined;
  return `${edges} edges, more than Mermaid draws by default (maxEdges ${mermaidDefaultMaxEdges}): collapse more groups (--collapse N below ${collapseAbove}), or raise maxEdges in mermaid.initialize where it is drawn`;
}

export function toMermaid(graph: UnitGraph): string {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const clustered = new Set(graph.clusters.flatMap((c) => c.nodes));
  const lines = ['---', `title: ${label(`skyloom unit graph: ${graph.title}`)}`, '---', 'flowchart TB'];
  for (const n of graph.nodes) if (!clustered.has(n.id)) lines.push(`  ${nodeLine(n)}`);
  for (const c of graph.clusters) {
    lines.push(`  subgraph ${c.id}[${label(c.label)}]`);
    for (const id of c.nodes) {
      const n = byId.get(id);
      if (n) lines.push(`    ${nodeLine(n)}`);
    }
    lines.push('  end');
  }
  const arrows = { scatter: '-->', gather: '-.-', then: '==>' };
  for (const e of mermaidEdges(graph)) lines.push(`  ${e.from} ${arrows[e.kind]} ${e.to}`);
  lines.push('  classDef failed stroke:#c0392b,stroke-width:2px,color:#c0392b');
  return `${lines.join('\n')}\n`;
}
