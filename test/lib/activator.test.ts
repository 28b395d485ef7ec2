import { describe, expect, it } from 'vitest';
import { Activator, start } from '../../lib/activator.ts';
import { put } from '../../lib/index.ts';

describe('Activator', () => {
  it('hands out each yielded primitive and resumes the generator with the reply', async () => {
    const seen: unknown[] = [];
    async function* body() {
      seen.push(yield* put('a'));
      return 'done';
    }
    const act = new Activator(body());
    expect(await act.resume(start)).toEqual({ done: false, op: { kind: 'put', value: 'a' } });
    expect(await act.resume({ ok: true, value: 'ref' })).toEqual({ done: true, value: 'done' });
    expect(seen).toEqual(['ref']);
  });

  it('throws an error reply into the generator at the yield site, where it can be caught', async () => {
    async function* body() {
      try {
        yield* put('a');
        return 'not reached';
      } catch (error) {
        return `caught ${(error as Error).message}`;
      }
    }
    const act = new Activator(body());
    await act.resume(start);
    expect(await act.resume({ ok: false, error: new Error('boom') })).toEqual({ done: true, value: 'caught boom' });
  });

  it('rejects with what the generator throws', async () => {
    async function* body(): AsyncGenerator<never, void> {
      throw new Error('bad input');
    }
    await expect(new Activator(body()).resume(start)).rejects.toThrow('bad input');
  });

  it('throws SKY_NOT_A_PRIMITIVE into a generator that yields something else', async () => {
    async function* body() {
      try {
        yield 42;
        return 'not reached';
      } catch (error) {
        return error;
      }
    }
    const r = await new Activator(body()).resume(start);
    expect(r.done).toBe(true);
    expect((r as { value: unknown }).value).toMatchObject({ code: 'SKY_NOT_A_PRIMITIVE', got: 'number 42' });
  });

  it('cancels with return() so finally blocks run; a primitive yielded in finally is not carried out and ends the block there', async () => {
    const log: string[] = [];
    async function* body() {
      try {
        yield* put(1);
      } finally {
        log.push('finally');
        yield* put(2);
        log.push('after yield in finally');
      }
    }
    const act = new Activator(body());
    await act.resume(start);
    expect(await act.cancel()).toBeUndefined();
    expect(log).toEqual(['finally']);
  });
});
