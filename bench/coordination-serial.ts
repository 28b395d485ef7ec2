/**
 * The hand-written serial loop of bench:coordination and the cluster floor bench: the same images,
 * arithmetic and checksums as the focal-plane workload (`focalPlane`), no framework. Its output is
 * the reference every other side's output is checked against.
 */
import { correctInPlace, fitGlobal, makeImage, sha1Of, summarize, type FocalPlaneParams } from './workload/focal-plane.ts';

export type FocalPlaneOutput = { index: number; sha1: string }[];

export function serialLoop(p: FocalPlaneParams): FocalPlaneOutput {
  const images = Array.from({ length: p.sensors }, (_, i) => makeImage(i, p.width, p.height));
  for (let round = 0; round < p.rounds; round++) {
    const correction = fitGlobal(images.map((image) => summarize(image, p.cpuPasses)));
    images.forEach((image, i) => correctInPlace(image, correction, i));
  }
  return images.map((image, index) => ({ index, sha1: sha1Of(image) }));
}
