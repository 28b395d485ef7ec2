import type { Instr, Program } from './program.ts';

/**
 * What a fault-free program must do, worked out from the program alone (no runner involved): the
 * unit paths it starts and the collectives it completes. The interpreter scatters with the default
 * label (`interpret`), so the n-th scatter of unit P makes group `P/interpret` or `P/interpret#n`.
 */
export interface Expected {
  readonly units: string[];
  readonly collectives: string[];
}

export function expectedOf(program: Program): Expected {
  const expected: Expected = { units: [], collectives: [] };
  walk(program, 'root', expected);
  expected.units.sort();
  expected.collectives.sort();
  return expected;
}

function walk(program: Program, path: string, into: Expected): void {
  into.units.push(path);
  let scatters = 0;
  for (const instr of program) {
    if (instr.op !== 'scatter') continue;
    const group = groupPath(path, ++scatters);
    const gathers = instr.children[0]?.filter((i: Instr) => i.op === 'gather').length ?? 0;
    for (let k = 1; k <= gathers; k++) into.collectives.push(`${group}#${k}/${instr.children.length}`);
    instr.children.forEach((child, i) => walk(child, `${group}:${i}`, into));
  }
}

function groupPath(parent: string, n: number): string {
  return `${parent}/${n === 1 ? 'interpret' : `interpret#${n}`}`;
}

/**
 * Inserts a `mutate` instruction into the `unit`-th unit (preorder, modulo the number of units) at
 * `position` (modulo its length + 1); returns the new program and the path of the unit that mutates.
 */
export function injectMutation(program: Program, unit: number, position: number): { program: Program; path: string } {
  const paths: string[] = [];
  collectPaths(program, 'root', paths);
  const target = unit % paths.length;
  let seen = -1;
  const rewrite = (p: Program, path: string): Program => {
    const mine = ++seen === target;
    let scatters = 0;
    const body = p.map((instr): Instr => {
      if (instr.op !== 'scatter') return instr;
      const group = groupPath(path, ++scatters);
      return { ...instr, children: instr.children.map((child, i) => rewrite(child, `${group}:${i}`)) };
    });
    if (!mine) return body;
    const at = position % (body.length + 1);
    return [...body.slice(0, at), { op: 'mutate' }, ...body.slice(at)];
  };
  return { program: rewrite(program, 'root'), path: paths[target] as string };
}

function collectPaths(program: Program, path: string, into: string[]): void {
  into.push(path);
  let scatters = 0;
  for (const instr of program) {
    if (instr.op !== 'scatter') continue;
    const group = groupPath(path, ++scatters);
    instr.children.forEach((child, i) => collectPaths(child, `${group}:${i}`, into));
  }
}
