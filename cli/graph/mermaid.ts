/**
 * A unit graph as a Mermaid flowchart: subgraphs for groups, rectangles for units (failed ones red),
 * rhombi for collectives, a collapsed group as a stadium with its counts. Labels are quoted with
 * Mermaid's `#quot;` entity for quotes, so any unit path is safe. Text only.
 */
import type { GraphNode, UnitGraph } from './unit-graph.ts';

const label = (text: string): string => `"${text.replace(/"/g, '#quot;')}"`;

function nodeLine(n: GraphNode): string {
  const text = label(n.label);
  const shape = n.kind === 'gather' ? `{${text}}` : n.kind === 'collapsed' ? `([${text}])` : `[${text}]`;
  return `${n.id}${shape}${n.status === 'failed' || n.status === 'mixed' ? ':::failed' : ''}`;
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
  for (const e of graph.edges) lines.push(`  ${e.from} ${arrows[e.kind]} ${e.to}`);
  lines.push('  classDef failed stroke:#c0392b,stroke-width:2px,color:#c0392b');
  return `${lines.join('\n')}\n`;
}
