import type { CollectiveRecord, UnitRecord } from '../../../cli/graph/unit-graph.ts';

/** root → visit × visits → sensor × sensors, each sensor group with `gathers` collectives; one failed sensor. */
export function records(visits: number, sensors: number, gathers: number): { units: UnitRecord[]; collectives: CollectiveRecord[] } {
  const units: UnitRecord[] = [{ path: 'root', parent: null, grp: 'root', idx: 0, status: 'failed' }];
  const collectives: CollectiveRecord[] = [];
  for (let v = 0; v < visits; v++) {
    units.push({ path: `root/visit:${v}`, parent: 'root', grp: 'root/visit', idx: v, status: v === 0 ? 'failed' : 'finished' });
    for (let s = 0; s < sensors; s++) {
      units.push({ path: `root/visit:${v}/sensor:${s}`, parent: `root/visit:${v}`, grp: `root/visit:${v}/sensor`, idx: s, status: v === 0 && s === 1 ? 'failed' : 'finished' });
    }
    for (let g = 1; g <= gathers; g++) collectives.push({ grp: `root/visit:${v}/sensor`, number: g, members: sensors });
  }
  return { units, collectives };
}
