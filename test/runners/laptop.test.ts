import { readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { algorithm, gather, get, put, run, scatter, take } from '../../lib/index.ts';
import { inlineRunner, laptopRunner } from '../../runners/index.ts';
import { focalPlane, type FocalPlaneParams } from '../../bench/workload/focal-plane.ts';
import { useTempDir } from '../fixtures/temp-dir.ts';

const tempDir = useTempDir('laptop');

const params: FocalPlaneParams = { sensors: 6, width: 128, height: 128, rounds: 3, cpuPasses: 1 };
const imageBytes = 128 * 128 * 4;
const budget = 3 * imageBytes; // one eighth of the 6 images would not hold one step's two versions

describe('laptopRunner', () => {
  it('returns what inline returns on the focal-plane workload, spilling under a budget of a fraction of the images', async () => {
    const reference = await run(focalPlane, params, { runner: inlineRunner(), runDir: join(tempDir(), 'inline') });
    const laptop = await run(focalPlane, params, { runner: laptopRunner({ memoryBudget: budget }), runDir: join(tempDir(), 'laptop') });
    expect(laptop.output).toStrictEqual(reference.output);
    expect(laptop.stats.peakStoreBytes).toBeLessThanOrEqual(budget);
    const outs = laptop.events.filter((e) => e.type === 'spill-out');
    const ins = laptop.events.filter((e) => e.type === 'spill-in');
    expect(outs.length).toBeGreaterThan(0);
    expect(ins.length).toBeGreaterThan(0);
    expect(ins.every((e) => e.type === 'spill-in' && e.bytes > imageBytes)).toBe(true);
    expect(laptop.events.some((e) => e.type === 'warning')).toBe(false); // the workload keeps nothing across pauses
    expect(existsSync(join(tempDir(), 'laptop', 'spill'))).toBe(false);
  });

  it('lets a suspended unit keep a borrowed value in a local without keeping it resident: the retention check finds nothing (verify mode)', async () => {
    // The natural way: `pixels` stays in scope across the gather. Its lease ends at the pause, so the
    // store may spill the ref and reuse its memory while the unit waits.
    const holdingSensor = algorithm(import.meta.url, async function* holdingSensor(_ctx, job: { index: number; size: number }) {
      const ref = yield* put(new Float32Array(job.size).fill(job.index));
      const pixels = yield* get(ref);
      const total = yield* gather(pixels[0] ?? 0, (vs) => vs.reduce((a, b) => a + b, 0));
      return total + ((yield* get(ref))[1] ?? 0);
    });
    const holding = algorithm(import.meta.url, async function* holding(_ctx, n: number) {
      return yield* scatter(holdingSensor, Array.from({ length: n }, (_, index) => ({ index, size: imageBytes / 4 })), { label: 'sensor' });
    });
    const reference = await run(holding, params.sensors, { runner: inlineRunner(), runDir: join(tempDir(), 'inline') });
    const laptop = await run(holding, params.sensors, { runner: laptopRunner({ memoryBudget: budget }), runDir: join(tempDir(), 'laptop') });
    expect(laptop.output).toStrictEqual(reference.output);
    expect(laptop.events.some((e) => e.type === 'spill-out')).toBe(true);
    expect(laptop.events.filter((e) => e.type === 'warning')).toEqual([]);
  });

  it('removes its spill directory after a failed run too, and keeps it with keepSpill', async () => {
    const failing = algorithm(import.meta.url, async function* failing() {
      for (let i = 0; i < 8; i++) yield* put(new Float32Array(imageBytes / 4));
      throw new Error('boom');
    });
    await expect(run(failing, undefined, { runner: laptopRunner({ memoryBudget: budget }), runDir: join(tempDir(), 'failed') })).rejects.toMatchObject({ code: 'SKY_UNIT_FAILED' });
    expect(existsSync(join(tempDir(), 'failed', 'spill'))).toBe(false);
    const spillDir = join(tempDir(), 'kept');
    await run(focalPlane, params, { runner: laptopRunner({ memoryBudget: budget, spillDir, keepSpill: true }), runDir: join(tempDir(), 'run') });
    expect(existsSync(spillDir)).toBe(true);
  });

  it('fails a unit that mutates a borrowed buffer after it was spilled and read back, naming the unit and the ref', async () => {
    const sensor = algorithm(import.meta.url, async function* sensor(_ctx, i: number) {
      const ref = yield* put(new Float32Array(imageBytes / 4).fill(i));
      yield* gather(0, () => 0); // every sibling puts its image: the early ones are spilled
      const pixels = yield* get(ref);
      if (i === 0) pixels[5] = -1;
      yield* gather(0, () => 0);
      return pixels[5];
    });
    const root = algorithm(import.meta.url, async function* root() {
      return yield* scatter(sensor, [0, 1, 2, 3, 4, 5]);
    });
    const error = await run(root, undefined, { runner: laptopRunner({ memoryBudget: budget }), runDir: join(tempDir(), 'r') }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SKY_UNIT_FAILED', cause: { code: 'SKY_UNIT_FAILED', cause: { code: 'SKY_PRISTINE_VIOLATION', unitPath: 'root/sensor:0' } } });
  });

  it('returns what inline returns with verify off too, where it reads spilled images into the memory of images it handed over', async () => {
    const reference = await run(focalPlane, params, { runner: inlineRunner(), runDir: join(tempDir(), 'inline'), verify: false });
    const laptop = await run(focalPlane, params, { runner: laptopRunner({ memoryBudget: budget }), runDir: join(tempDir(), 'laptop'), verify: false });
    expect(laptop.output).toStrictEqual(reference.output);
    expect(laptop.events.filter((e) => e.type === 'spill-in').length).toBeGreaterThan(params.sensors);
  });

  it('never writes out the last version a unit put with transfer and kept to itself: its end frees it', async () => {
    const lastVersion = algorithm(import.meta.url, async function* lastVersion(ctx, i: number) {
      let image = yield* put(new Float32Array(imageBytes / 4).fill(i), { transfer: true });
      yield* gather(i, (xs) => xs.length);
      const pixels = yield* take(image);
      image = yield* put(pixels.map((v) => v + 1), { transfer: true });
      ctx.log(image.$ref); // its id only: the handle stays with the unit
      return (yield* get(image))[0];
    });
    const sensors = algorithm(import.meta.url, async function* sensors() {
      return yield* scatter(lastVersion, [0, 1, 2, 3, 4, 5], { label: 's' });
    });
    const result = await run(sensors, undefined, { runner: laptopRunner({ memoryBudget: budget }), runDir: join(tempDir(), 'last'), verify: false });
    expect(result.output).toEqual([1, 2, 3, 4, 5, 6]);
    const last = new Set(result.events.flatMap((e) => (e.type === 'log' ? [e.message] : [])));
    const written = result.events.flatMap((e) => (e.type === 'spill-out' ? [e.ref] : []));
    expect(last.size).toBe(6);
    expect(written.length).toBeGreaterThan(0); // the first versions did not all fit
    expect(written.filter((ref) => last.has(ref))).toEqual([]);
  });

  it('recycles the pixels a unit took and put back, though a named local still points at them across the next pause', async () => {
    const keeper = algorithm(import.meta.url, async function* keeper(_ctx, i: number) {
      let ref = yield* put(new Float32Array(imageBytes / 4).fill(i), { transfer: true });
      for (let round = 0; round < 2; round++) {
        const pixels = yield* take(ref); // still in the suspended generator's frame at the gather below
        pixels[0] = round;
        ref = yield* put(pixels, { transfer: true });
        yield* gather(0, () => 0);
      }
      return (yield* get(ref))[0];
    });
    const root = algorithm(import.meta.url, async function* root() {
      return yield* scatter(keeper, [0, 1, 2, 3, 4, 5], { label: 'k' });
    });
    const result = await run(root, undefined, { runner: laptopRunner({ memoryBudget: budget }), runDir: join(tempDir(), 'r') });
    expect(result.output).toEqual([1, 1, 1, 1, 1, 1]);
    expect(result.events.filter((e) => e.type === 'warning')).toEqual([]);
  });

  it('fails a unit that hands over its input\'s buffers with SKY_TRANSFER naming the unit', async () => {
    const sensor = algorithm(import.meta.url, async function* sensor(_ctx, input: { pixels: Float32Array }) {
      return yield* put(input.pixels, { transfer: true });
    });
    const root = algorithm(import.meta.url, async function* root() {
      return yield* scatter(sensor, [{ pixels: new Float32Array(4) }], { label: 's' });
    });
    const error = await run(root, undefined, { runner: laptopRunner({ memoryBudget: budget }), runDir: join(tempDir(), 'r') }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SKY_UNIT_FAILED', cause: { code: 'SKY_UNIT_FAILED', cause: { code: 'SKY_TRANSFER', unitPath: 'root/s:0' } } });
  });

  it('fails a step that pins more than the budget with SKY_MEMORY_BUDGET giving the unit, bytes and budget', async () => {
    const greedy = algorithm(import.meta.url, async function* greedy() {
      const refs = [];
      for (let i = 0; i < 4; i++) refs.push(yield* put(new Float32Array(imageBytes / 4)));
      let sum = 0;
      for (const ref of refs) sum += (yield* get(ref))[0] as number; // all four borrowed in one step
      return sum;
    });
    const error = await run(greedy, undefined, { runner: laptopRunner({ memoryBudget: budget }), runDir: join(tempDir(), 'g') }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'SKY_UNIT_FAILED',
      cause: { code: 'SKY_MEMORY_BUDGET', unitPath: 'root', message: expect.stringMatching(/needs .* budget is 192\.0 KiB \(196608 bytes\)/) },
    });
  });

  it('rejects a budget too small to start, a bad budget, and an unwritable spill directory with clear errors', async () => {
    expect(() => laptopRunner({ memoryBudget: 1000 })).toThrow(expect.objectContaining({ code: 'SKY_MEMORY_BUDGET', message: expect.stringContaining('expected at least 64.0 KiB') }));
    expect(() => laptopRunner({ memoryBudget: 'a lot' })).toThrow(expect.objectContaining({ code: 'SKY_INVALID_ARGUMENT' }));
    expect(laptopRunner({ memoryBudget: '512MB' }).name).toBe('laptop');
    await writeFile(join(tempDir(), 'file'), 'x');
    const runner = laptopRunner({ memoryBudget: '1MiB', spillDir: join(tempDir(), 'file', 'spill') });
    await expect(run(focalPlane, params, { runner, runDir: join(tempDir(), 'x') })).rejects.toMatchObject({ code: 'SKY_SPILL_DIR' });
  });

  it('with a budget that covers the process returns what inline returns, its memory events giving the store a limit within the budget', async () => {
    const reference = await run(focalPlane, params, { runner: inlineRunner(), runDir: join(tempDir(), 'inline') });
    const laptop = await run(focalPlane, params, { runner: laptopRunner({ memoryBudget: budget, budgetCovers: 'process' }), runDir: join(tempDir(), 'laptop') });
    expect(laptop.output).toStrictEqual(reference.output);
    const limits = laptop.events.flatMap((e) => (e.type === 'memory' && e.limit !== undefined ? [e.limit] : []));
    expect(limits.length).toBeGreaterThan(0);
    expect(limits.every((l) => l >= 0 && l <= budget)).toBe(true);
    expect(laptop.stats.peakStoreBytes).toBeLessThanOrEqual(budget);
    expect(() => laptopRunner({ memoryBudget: budget, budgetCovers: 'everything' as 'process' })).toThrow(
      expect.objectContaining({ code: 'SKY_INVALID_ARGUMENT', message: expect.stringContaining("expected 'store' or 'process'") }),
    );
  });

  it('leaves nothing of the run on disk', async () => {
    const runDir = join(tempDir(), 'clean');
    await run(focalPlane, params, { runner: laptopRunner({ memoryBudget: budget }), runDir });
    expect(existsSync(runDir) ? await readdir(runDir) : []).toEqual([]);
  });
});
