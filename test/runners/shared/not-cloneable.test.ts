import { describe, expect, it } from 'vitest';
import { run } from '../../../lib/index.ts';
import { clusterRunner, inlineRunner, laptopRunner } from '../../../runners/index.ts';
import { parent, type Where } from './fixtures/crossing.ts';

const runners = { inline: inlineRunner(), laptop: laptopRunner({ memoryBudget: '1MB' }), cluster: clusterRunner({ workers: 2 }) };

describe('a class instance that would cross a thread fails the same way on every runner', () => {
  const expected: Record<Where, unknown> = {
    gather: ['caught SKY_NOT_CLONEABLE', 'caught SKY_NOT_CLONEABLE'],
    central: ['caught SKY_CENTRAL_FAILED SKY_NOT_CLONEABLE', 'caught SKY_CENTRAL_FAILED SKY_NOT_CLONEABLE'],
    scatter: ['caught SKY_NOT_CLONEABLE', 'caught SKY_NOT_CLONEABLE'],
    put: ['caught SKY_NOT_CLONEABLE', 'caught SKY_NOT_CLONEABLE'],
    output: 'failed SKY_UNIT_FAILED < SKY_NOT_CLONEABLE',
  };
  for (const [name, runner] of Object.entries(runners)) {
    for (const where of Object.keys(expected) as Where[]) {
      it(`${name}: at a ${where}`, async () => {
        const { output } = await run(parent, where, { runner });
        expect(output).toEqual(expected[where]);
      });
    }
  }
});
