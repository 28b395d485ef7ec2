/**
 * A unit graph as Graphviz DOT: clusters for groups, boxes for units (failed ones red), diamonds for
 * collectives (joined to their members, and chained in phase order), a collapsed group as a folder with its counts. Text only; `dot -Tsvg` lays it out.
 */
import type { GraphNode, UnitGraph } from './unit-graph.ts';

/** A DOT double-quoted string. */
const quote = (text: string): string => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

const shapes: Record<GraphNode['kind'], string> = { unit: 'box', collapsed: 'folder', gather: 'diamond' };

function nodeLine(n: GraphNode): string {
  const colour = n.status === 'failed' ? ', color="#c0392b", fontcolor="#c0392b", penwidth=2' : n.status === 'mixed' ? ', color="#c0392b"' : n.status === 'running' ? ', style=dashed' : '';
  return `${n.id} [label=${quote(n.label)}, shape=${shapes[n.kind]}${n.kind === 'gather' ? ', style=filled, fillcolor="#eeeeee", fontsize=9' : ''}${colour}];`;
}

export function toDot(graph: UnitGraph): string {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const clustered = new Set(graph.clusters.flatMap((c) => c.nodes));
  const lines = [`digraph skyloom {`, `  label=${quote(`skyloom unit graph: ${graph.title}`)};`, '  labelloc=t; rankdir=TB; node [fontname="sans-serif", fontsize=10]; edge [arrowsize=0.6];'];
  for (const n of graph.nodes) if (!clustered.has(n.id)) lines.push(`  ${nodeLine(n)}`);
  for (const c of graph.clusters) {
    lines.push(`  subgraph ${c.id} {`, `    label=${quote(c.label)}; style=rounded; color="#999999";`);
    for (const id of c.nodes) {
      const n = byId.get(id);
      if (n) lines.push(`    ${nodeLine(n)}`);
    }
    lines.push('  }');
  }
  const edgeStyle = { scatter: '', gather: ' [color="#aaaaaa", arrowhead=none]', then: ' [style=bold, color="#444444"]' };
  for (const e of graph.edges) lines.push(`  ${e.from} -> ${e.to}${edgeStyle[e.kind]};`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
