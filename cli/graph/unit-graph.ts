/**
 * The unit graph of a run, read from its ledger, as plain nodes, edges and clusters that `dot.ts` and
 * `mermaid.ts` print: every unit; every group (the children of one scatter) as a cluster holding its
 * members and one node per collective, which its members join; a parent's scatter as edges to its
 * group. A group of more than `collapseAbove` members is drawn as one node with counts by status,
 * and its members' descendants are not drawn (counted in the label). Does not lay anything out.
 */
import { LedgerDb } from '../../lib/ledger/ledger-db.ts';
import { readRunRecord } from '../../lib/ledger/run-record.ts';

export type GraphNodeKind = 'unit' | 'collapsed' | 'gather';

export interface GraphNode {
  readonly id: string;
  readonly label: string;
  readonly kind: GraphNodeKind;
  /** `finished`, `failed`, `running`, or `mixed` for a collapsed group with failures. */
  readonly status: string;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** scatter: parent → member; gather: member — collective; then: collective k → k + 1 (phase order). */
  readonly kind: 'scatter' | 'gather' | 'then';
}

export interface GraphCluster {
  readonly id: string;
  readonly label: string;
  readonly nodes: readonly string[];
}

export interface UnitGraph {
  readonly title: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  readonly clusters: readonly GraphCluster[];
}

export interface UnitRecord {
  readonly path: string;
  readonly parent: string | null;
  readonly grp: string;
  readonly idx: number;
  readonly status: string;
}

export interface CollectiveRecord {
  readonly grp: string;
  readonly number: number;
  readonly members: number;
}

export const defaultCollapseAbove = 50;

export function readUnitGraph(runDir: string, collapseAbove = defaultCollapseAbove): UnitGraph {
  const db = LedgerDb.open(runDir, { readonly: true });
  try {
    const run = readRunRecord(db, runDir);
    const units = db.all<UnitRecord>('SELECT path, parent, grp, idx, status FROM units');
    const collectives = db.all<CollectiveRecord>('SELECT grp, number, members FROM collectives ORDER BY grp, number');
    return unitGraph(`${run.name} (${run.runner})`, units, collectives, collapseAbove);
  } finally {
    db.close();
  }
}

export function unitGraph(title: string, units: readonly UnitRecord[], collectives: readonly CollectiveRecord[], collapseAbove: number): UnitGraph {
  const groups = new Map<string, UnitRecord[]>();
  for (const u of units) {
    if (u.parent === null) continue;
    let members = groups.get(u.grp);
    if (!members) groups.set(u.grp, (members = []));
    members.push(u);
  }
  const gathersOf = new Map<string, CollectiveRecord[]>();
  for (const c of collectives) gathersOf.set(c.grp, [...(gathersOf.get(c.grp) ?? []), c]);
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const clusters: GraphCluster[] = [];
  const ids = new Map<string, string>();
  const idOf = (key: string): string => {
    let id = ids.get(key);
    if (!id) ids.set(key, (id = `n${ids.size}`));
    return id;
  };
  const descendants = (path: string): number => units.filter((u) => u.path.startsWith(`${path}/`)).length;

  const drawUnit = (u: UnitRecord): void => {
    nodes.push({ id: idOf(u.path), label: u.parent === null ? u.path : (u.path.split('/').at(-1) ?? u.path), kind: 'unit', status: u.status });
    for (const [grp, members] of groups) if (members[0]?.parent === u.path) drawGroup(u.path, grp, members);
  };

  const drawGroup = (parent: string, grp: string, members: UnitRecord[]): void => {
    members.sort((a, b) => a.idx - b.idx);
    const inside: string[] = [];
    const label = (grp.split('/').at(-1) ?? grp);
    if (members.length > collapseAbove) {
      const byStatus = new Map<string, number>();
      for (const m of members) byStatus.set(m.status, (byStatus.get(m.status) ?? 0) + 1);
      const hidden = members.reduce((n, m) => n + descendants(m.path), 0);
      const counts = [...byStatus].map(([s, n]) => `${n} ${s}`).join(', ');
      const id = idOf(`${grp}#collapsed`);
      const failed = byStatus.get('failed') ?? 0;
      nodes.push({ id, label: `${label} ×${members.length} (${counts}${hidden ? `; ${hidden} units below` : ''})`, kind: 'collapsed', status: failed ? 'mixed' : (members[0]?.status ?? 'finished') });
      edges.push({ from: idOf(parent), to: id, kind: 'scatter' });
      inside.push(id);
      inside.push(...drawGathers(grp, [id]));
    } else {
      for (const m of members) {
        drawUnit(m);
        edges.push({ from: idOf(parent), to: idOf(m.path), kind: 'scatter' });
        inside.push(idOf(m.path));
      }
      const memberIds = members.map((m) => idOf(m.path));
      inside.push(...drawGathers(grp, memberIds));
    }
    clusters.push({ id: `cluster_${idOf(`${grp}#group`)}`, label: `${grp} (${members.length} members, ${(gathersOf.get(grp) ?? []).length} collectives)`, nodes: inside });
  };

  const drawGathers = (grp: string, memberIds: readonly string[]): string[] => {
    const drawn: string[] = [];
    for (const g of gathersOf.get(grp) ?? []) {
      const id = idOf(`${grp}#gather${g.number}`);
      nodes.push({ id, label: `gather #${g.number}`, kind: 'gather', status: 'finished' });
      for (const m of memberIds) edges.push({ from: m, to: id, kind: 'gather' });
      const previous = drawn.at(-1);
      if (previous) edges.push({ from: previous, to: id, kind: 'then' });
      drawn.push(id);
    }
    return drawn;
  };

  for (const root of units.filter((u) => u.parent === null)) drawUnit(root);
  return { title, nodes, edges, clusters };
}
