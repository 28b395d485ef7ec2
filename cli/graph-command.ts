/**
 * `skyloom graph DIR --format dot|mermaid [--collapse N] [-o FILE]`: prints (or writes) the unit graph
 * of a run from its ledger: units, groups, collectives. See `graph/unit-graph.ts`. Read-only.
 */
import { writeFileSync } from 'node:fs';
import { toDot } from './graph/dot.ts';
import { mermaidEdgeWarning, toMermaid } from './graph/mermaid.ts';
import { readUnitGraph } from './graph/unit-graph.ts';
import { UsageError } from './options.ts';

export const graphFormats = ['dot', 'mermaid'] as const;
export type GraphFormat = (typeof graphFormats)[number];

export function parseGraphFormat(text: string): GraphFormat {
  if (!(graphFormats as readonly string[]).includes(text)) throw new UsageError(`--format: expected one of ${graphFormats.join(', ')}, got ${JSON.stringify(text)}`);
  return text as GraphFormat;
}

export function graphCommand(runDir: string, format: GraphFormat, collapseAbove: number, out: string | undefined): number {
  const graph = readUnitGraph(runDir, collapseAbove);
  const text = format === 'dot' ? toDot(graph) : toMermaid(graph);
  const warning = format === 'mermaid' ? mermaidEdgeWarning(graph, collapseAbove) : undefined;
  if (warning) process.stderr.write(`skyloom graph: ${warning}\n`);
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
  return 0;
}
