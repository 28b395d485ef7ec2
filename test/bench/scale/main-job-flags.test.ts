import { describe, expect, it } from 'vitest';
import { mainJobNodeFlags } from '../../../bench/scale/main-job-flags.ts';

describe('mainJobNodeFlags', () => {
  it('are the node flags of `npm start`, before its --import, so bench:scale runs the main job as users do', () => {
    expect(mainJobNodeFlags()).toEqual(['--max-semi-space-size=1']);
  });
});
