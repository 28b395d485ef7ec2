import { describe, expect, it } from 'vitest';
import { distribute, resolveCollective, type CollectiveArrival } from '../../lib/collective.ts';

const paths = ['g:0', 'g:1', 'g:2'];
const at = (value: unknown, centralSite = 'fit@a', perMember = false): CollectiveArrival => ({ kind: 'gather', value, centralSite, perMember, site: 'gather#1' });
const ret = (value: unknown): CollectiveArrival => ({ kind: 'returned', value, site: 'gather#1' });

describe('resolveCollective', () => {
  it('returns outputs in member order when every member returned', () => {
    expect(resolveCollective([ret('a'), ret('b'), ret('c')], paths)).toEqual({ kind: 'outputs', outputs: ['a', 'b', 'c'] });
  });

  it('collects values in member order when every member waits at the same gather', () => {
    expect(resolveCollective([at(1), at(2), at(3)], paths)).toEqual({ kind: 'collective', values: [1, 2, 3], perMember: false });
  });

  it('reports a different central against the lowest member that differs from member 0', () => {
    const r = resolveCollective([at(1), at(2), at(3, 'other@b'), ], paths);
    expect(r).toMatchObject({ kind: 'mismatch', index: 2, error: { code: 'SKY_COLLECTIVE_MISMATCH', units: ['g:0', 'g:2'] } });
  });

  it('reports a different perMember as a mismatch', () => {
    expect(resolveCollective([at(1), at(2, 'fit@a', true), at(3)], paths)).toMatchObject({ kind: 'mismatch', index: 1 });
  });

  it('reports a member that returned while others wait, naming the waiting ones', () => {
    const r = resolveCollective([at(1), ret('x'), at(3)], paths);
    expect(r).toMatchObject({ kind: 'mismatch', index: 1, error: { code: 'SKY_COLLECTIVE_EARLY_RETURN', units: ['g:1', 'g:0', 'g:2'] } });
  });
});

describe('distribute', () => {
  it('gives every member the same reply without perMember', () => {
    expect(distribute({ ok: true, value: 7 }, false, paths, 'gather#1')).toEqual(paths.map(() => ({ ok: true, value: 7 })));
  });

  it('gives each member its own entry with perMember', () => {
    expect(distribute({ ok: true, value: ['a', 'b', 'c'] }, true, paths, 'gather#1').map((r) => r.ok && r.value)).toEqual(['a', 'b', 'c']);
  });

  it('fails every member with SKY_PER_MEMBER_LENGTH when perMember entries do not match the members', () => {
    for (const value of [['a'], 'abc']) {
      const replies = distribute({ ok: true, value }, true, paths, 'gather#1');
      expect(replies).toHaveLength(3);
      for (const r of replies) expect(r).toMatchObject({ ok: false, error: { code: 'SKY_PER_MEMBER_LENGTH', message: expect.stringMatching(/expected an array of 3 entries/) } });
    }
  });
});
