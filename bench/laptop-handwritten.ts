/**
 * The focal-plane workload written by hand as a spill loop, the reference the laptop runner is held
 * to: the same images, arithmetic and checksums as `focalPlane`, but every image lives on disk
 * between its steps, read into and computed into a few buffers allocated once (no garbage, so no
 * collections), with the next sensor's read and the last results' writes in flight while a sensor
 * computes. Two files per sensor used in turn so the previous version stays whole until the new one is
 * written. `durable` adds O_DSYNC (each write resolves once on disk); bench/laptop runs it without, as
 * the store's spill files are not synced either.
 */
import { constants } from 'node:fs';
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { applyCorrectionInto, fitGlobal, makeImage, sha1Of, summarize, type Correction, type FocalPlaneParams, type Summary } from './workload/focal-plane.ts';

export interface HandwrittenResult {
  readonly output: { index: number; sha1: string }[];
  readonly bytesOut: number;
  readonly bytesIn: number;
}

/** `durable: false` drops O_DSYNC: writes end in the page cache, as a loop that does not care about crashes would. */
export async function handwrittenSpillLoop(p: FocalPlaneParams, directory: string, durable = true): Promise<HandwrittenResult> {
  await mkdir(directory, { recursive: true });
  const pixels = p.width * p.height;
  const files: FileHandle[] = [];
  for (let i = 0; i < 2 * p.sensors; i++) files.push(await open(join(directory, `s${i}`), constants.O_RDWR | constants.O_CREAT | (durable ? constants.O_DSYNC : 0)));
  const inputs = [new Float32Array(pixels), new Float32Array(pixels)];
  const outputs = [0, 1, 2].map(() => ({ image: new Float32Array(pixels), written: Promise.resolve() }));
  const totals = { bytesOut: 0, bytesIn: 0 };
  const fileOf = (sensor: number, version: number): FileHandle => files[2 * sensor + (version % 2)] as FileHandle;
  const read = async (sensor: number, version: number, into: Float32Array): Promise<Float32Array> => {
    await fileOf(sensor, version).read(new Uint8Array(into.buffer), 0, into.byteLength, 0);
    totals.bytesIn += into.byteLength;
    return into;
  };

  /** One pass over the sensors: `compute` turns version `version` of a sensor's image into the next. */
  const pass = async (version: number, compute: (sensor: number, input: Float32Array | undefined, out: Float32Array) => void): Promise<void> => {
    let next = version < 0 ? undefined : read(0, version, inputs[0] as Float32Array);
    for (let i = 0; i < p.sensors; i++) {
      const input = await next;
      if (version >= 0 && i + 1 < p.sensors) next = read(i + 1, version, inputs[(i + 1) % 2] as Float32Array);
      const slot = outputs[i % outputs.length] as { image: Float32Array; written: Promise<void> };
      await slot.written;
      compute(i, input, slot.image);
      slot.written = fileOf(i, version + 1)
        .write(new Uint8Array(slot.image.buffer), 0, slot.image.byteLength, 0)
        .then(() => void (totals.bytesOut += slot.image.byteLength));
    }
    await Promise.all(outputs.map((o) => o.written));
  };

  try {
    const summaries: Summary[] = [];
    await pass(-1, (i, _input, out) => {
      out.set(makeImage(i, p.width, p.height));
      summaries[i] = summarize(out, p.cpuPasses);
    });
    for (let round = 0; round < p.rounds; round++) {
      const correction: Correction = fitGlobal(summaries);
      const last = round === p.rounds - 1;
      await pass(round, (i, input, out) => {
        applyCorrectionInto(input as Float32Array, correction, i, out);
        if (!last) summaries[i] = summarize(out, p.cpuPasses);
      });
    }
    const output: { index: number; sha1: string }[] = [];
    for (let i = 0; i < p.sensors; i++) output.push({ index: i, sha1: sha1Of(await read(i, p.rounds, inputs[0] as Float32Array)) });
    return { output, ...totals };
  } finally {
    await Promise.all(files.map((f) => f.close()));
    await rm(directory, { recursive: true, force: true });
  }
}
