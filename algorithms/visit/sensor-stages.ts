/**
 * The per-sensor stages, as plain generators a sensor coroutine runs with `yield*`. Each stage keeps
 * big data in refs: it `get`s the image inside a step, computes, `put`s a new version, and never holds
 * a typed array across a `gather` (so a runner with a memory budget may spill it meanwhile). What a
 * stage gathers is a small summary; the central steps are the `fit*` functions of `stages/`.
 *
 * Gathers per stage: noise 1, background 3, astrometry 4, PSF 2. Stages are not algorithms themselves:
 * the algorithms in `sensor-algorithms.ts` chain them.
 */
import { gather, get, put, type Primitive, type Ref } from '../../lib/index.ts';
import type { CameraSpec } from '../camera/camera-spec.ts';
import { sensorPlacements } from '../camera/layout.ts';
import { renderSensor } from '../sky/render-sensor.ts';
import { referenceFluxLimit, referenceStarsInRegion } from '../sky/star-field.ts';
import { clipPairs, fitAstrometry, matchReferences, voteShift, type AstrometricSolution, type MatchedPairs } from '../stages/astrometry.ts';
import { binBackground, clippedMean, fitBackground, subtractBackground, type BackgroundBins, type BackgroundModel } from '../stages/background.ts';
import { findSources, maskDetections, type SourceCatalog } from '../stages/detect.ts';
import { fitPsf, selectPsfStars, type PsfModel } from '../stages/psf.ts';
import { checkSensorImage } from '../stages/sensor-checks.ts';
import { sensorFrame, type SensorFrame } from '../stages/sensor-frame.ts';

type Stage<R> = Generator<Primitive, R, unknown>;

/** Which sensor of which visit: all a sensor coroutine is given. Plain data. */
export interface SensorInput {
  readonly camera: CameraSpec;
  readonly seed: number;
  readonly visit: number;
  readonly sensor: number;
}

/** The refs of a sensor's current image and mask. */
export interface SensorRefs {
  readonly frame: SensorFrame;
  readonly image: Ref<Float32Array>;
  readonly mask: Ref<Uint8Array>;
}

export const backgroundRounds = 3;
export const matchRadii = [3, 1.5, 0.8, 0.5] as const;
export const psfRounds = 2;
const detectSigma = 5;
const maskSigma = 3;

/** Makes the sensor's image on demand and puts it (and its mask) in the store. */
export function* loadSensor(input: SensorInput): Stage<SensorRefs> {
  const { image, mask } = renderSensor(input);
  checkSensorImage(input.sensor, image, mask, input.camera.sensorWidth, input.camera.sensorHeight);
  return { frame: sensorFrame(input.camera, input.sensor), image: yield* put(image), mask: yield* put(mask) };
}

/** The focal plane's pixel noise: each sensor's clipped spread, then the median over sensors. */
export function* measureNoise(refs: SensorRefs): Stage<number> {
  const image = yield* get(refs.image);
  const sample = new Float64Array(Math.ceil(image.length / 7));
  for (let k = 0, n = 0; k < image.length; k += 7) sample[n++] = image[k] as number;
  const [, spread] = clippedMean(sample, sample.length);
  return yield* gather(spread, medianOf);
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Background: mask sources, bin, fit centrally; three rounds, then subtract. Returns the new refs. */
export function* backgroundStage(refs: SensorRefs, noise: number): Stage<{ refs: SensorRefs; model: BackgroundModel }> {
  let current = refs;
  let model: BackgroundModel | undefined;
  for (let round = 0; round < backgroundRounds; round++) {
    const step = yield* maskAndBin(current, model, noise);
    current = step.refs;
    model = yield* gather(step.bins, fitBackground, { perMember: true });
  }
  const fitted = model as BackgroundModel;
  const subtracted = subtractBackground(current.frame, yield* get(current.image), fitted);
  return { refs: { ...current, image: yield* put(subtracted) }, model: fitted };
}

function* maskAndBin(refs: SensorRefs, model: BackgroundModel | undefined, noise: number): Stage<{ refs: SensorRefs; bins: BackgroundBins }> {
  const { frame } = refs;
  const image = yield* get(refs.image);
  const mask = yield* get(refs.mask);
  const residual = model ? subtractBackground(frame, image, model) : subtractConstant(image, mask);
  const catalog = findSources(residual, mask, frame.width, frame.height, detectSigma * noise);
  const newMask = maskDetections(residual, mask, frame.width, frame.height, catalog, maskSigma * noise, noise);
  const bins = binBackground(frame, image, newMask, Math.max(32, Math.floor(frame.width / 16)));
  return { refs: { ...refs, mask: yield* put(newMask) }, bins };
}

function subtractConstant(image: Float32Array, mask: Uint8Array): Float32Array {
  const sample = Float64Array.from(image.filter((_, k) => k % 5 === 0 && mask[k] === 0));
  const [level] = clippedMean(sample, sample.length);
  return image.map((value) => value - level);
}

/** Detection and measurement on the background-subtracted image; the catalog goes in a ref. */
export function* detectStage(refs: SensorRefs, noise: number): Stage<Ref<SourceCatalog>> {
  const catalog = findSources(yield* get(refs.image), yield* get(refs.mask), refs.frame.width, refs.frame.height, detectSigma * noise);
  return yield* put(catalog);
}

/** Global astrometry: four rounds of match → central fit, with a tightening radius and 3σ clipping. */
export function* astrometryStage(input: SensorInput, frame: SensorFrame, catalogRef: Ref<SourceCatalog>): Stage<AstrometricSolution> {
  const frames = sensorPlacements(input.camera).map((_, s) => sensorFrame(input.camera, s));
  const refs = referenceStarsInRegion(input.camera, input.seed, input.visit, {
    xmin: frame.cx - frame.width / 2 - 16,
    xmax: frame.cx + frame.width / 2 + 16,
    ymin: frame.cy - frame.height / 2 - 16,
    ymax: frame.cy + frame.height / 2 + 16,
  });
  let solution: AstrometricSolution | undefined;
  for (const radius of matchRadii) {
    const detections = brightSources(yield* get(catalogRef));
    let pairs: MatchedPairs;
    if (!solution) pairs = matchReferences(frame, detections, refs, undefined, voteShift(frame, detections, refs, 12), radius);
    else pairs = clipPairs(frame, matchReferences(frame, detections, refs, solution, [0, 0], radius), solution, Math.max(3 * solution.rms, 0.05));
    solution = yield* gather(pairs, (all: readonly MatchedPairs[], members: readonly number[]) => fitAstrometry(members.map((m) => frames[m] as SensorFrame), all), { perMember: true });
  }
  return solution as AstrometricSolution;
}

function brightSources(catalog: SourceCatalog): SourceCatalog {
  const keep = [...catalog.flux.keys()].filter((i) => (catalog.flux[i] as number) > referenceFluxLimit / 2);
  const pick = (a: Float64Array): Float64Array => Float64Array.from(keep, (i) => a[i] as number);
  return { x: pick(catalog.x), y: pick(catalog.y), flux: pick(catalog.flux), ixx: pick(catalog.ixx), iyy: pick(catalog.iyy), ixy: pick(catalog.ixy), isolated: Uint8Array.from(keep, (i) => catalog.isolated[i] as number) };
}

/** PSF model: two rounds of star selection → central fit, the second clipping against the first. */
export function* psfStage(frame: SensorFrame, catalogRef: Ref<SourceCatalog>): Stage<PsfModel> {
  let model: PsfModel | undefined;
  for (let round = 0; round < psfRounds; round++) {
    const stars = selectPsfStars(frame, yield* get(catalogRef), model, 3);
    model = yield* gather(stars, fitPsf);
  }
  return model as PsfModel;
}

/** FNV-1a over the bytes of a float image: lets runs be compared bit for bit without keeping images. */
export function imageChecksum(image: Float32Array): string {
  const words = new Uint32Array(image.buffer, image.byteOffset, image.length);
  let h = 0x811c9dc5;
  for (let k = 0; k < words.length; k++) h = Math.imul(h ^ (words[k] as number), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}
