import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);

/** Each event type of `RunEventBody` (lib/events.ts) with its field names, read from the source's syntax. */
function eventFields(): Map<string, string[]> {
  const source = ts.createSourceFile('events.ts', readFileSync(new URL('lib/events.ts', root), 'utf8'), ts.ScriptTarget.Latest, true);
  const events = new Map<string, string[]>();
  const visit = (node: ts.Node): void => {
    if (ts.isTypeLiteralNode(node)) {
      const props = node.members.filter(ts.isPropertySignature);
      const type = props.find((p) => p.name.getText(source) === 'type')?.type;
      if (type && ts.isLiteralTypeNode(type) && ts.isStringLiteral(type.literal)) {
        events.set(type.literal.text, props.map((p) => p.name.getText(source)).filter((n) => n !== 'type'));
      }
    }
    ts.forEachChild(node, visit);
  };
  const body = source.statements.find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === 'RunEventBody');
  if (body) visit(body);
  return events;
}

/** The guide's events table: each row's event names (first cell) → the text of its fields cell. */
function guideRows(): Map<string, string> {
  const guide = readFileSync(new URL('docs/guide.md', root), 'utf8');
  const start = guide.indexOf('| event | fields | when |');
  const rows = new Map<string, string>();
  for (const line of guide.slice(start).split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    const [, names = '', fields = ''] = line.split('|');
    for (const m of names.matchAll(/`([a-z-]+)`/g)) rows.set(m[1] as string, fields);
  }
  return rows;
}

describe('docs/guide.md', () => {
  it('documents every event type of RunEventBody and every field each one has', () => {
    const events = eventFields();
    expect([...events.keys()]).toEqual(expect.arrayContaining(['unit-started', 'collective-completed', 'memory'])); // the source was read
    const rows = guideRows();
    const missing: string[] = [];
    for (const [type, fields] of events) {
      const row = rows.get(type);
      if (row === undefined) missing.push(`${type} (no row)`);
      else for (const field of fields) if (!row.includes(`\`${field}\``)) missing.push(`${type}.${field}`);
    }
    expect(missing).toEqual([]);
  });

  it('documents the fields every event has: t and origin', () => {
    const guide = readFileSync(new URL('docs/guide.md', root), 'utf8');
    const section = guide.slice(guide.indexOf('## What a run reports'), guide.indexOf('| event | fields | when |'));
    expect(section).toContain('`t`');
    expect(section).toContain('`origin`');
  });
});
