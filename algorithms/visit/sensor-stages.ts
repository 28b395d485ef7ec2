/**
 * The per-sensor stages, as plain generators a sensor coroutine runs with `yield*`. Each stage keeps
 * big data in refs and its working memory in `scratch` arrays: within a step it `get`s (or `take`s) the
 * image, computes into scratch, `put`s what must outlive the step, and never uses a typed array across
 * a pause (what `get`, `take` and `scratch` hand out is a lease that ends there). What a stage gathers
 * is a small summary; the central steps are the `fit*` functions of `stages/`.
 *
 * Versions: the image and mask are put with `{ transfer: true }`, and a stage that makes a new version
 * `take`s the old one and changes it in place, so a superseded version never sits in the store or on
 * disk. Detection is the image's last use: it takes image and mask, and they are gone after it.
 *
 * Gathers per stage: noise 1, background 3, astrometry 4, PSF 2. Stages are not algorithms themselves:
 * the algorithms in `sensor-algorithms.ts` chain them. Not covered here: the science (see `stages/`).
 */
import { gather, get, put, scratch, take, type Primitive, type Ref } from '../../lib/index.ts';
import type { CameraSpec } from '../camera/camera-spec.ts';
import { sensorPlacements } from '../camera/layout.ts';
import { renderSensorInto, signalBandRows } from '../sky/render-sensor.ts';
import { referenceFluxLimit, referenceStarsInRegion } from '../sky/star-field.ts';
import { clipPairs, fitAstrometry, matchReferences, voteShift, type AstrometricSolution, type MatchedPairs } from '../stages/astrometry.ts';
import { binBackground, clippedMean, fitBackground, subtractBackgroundInto, subtractConstantInto, type BackgroundBins, type BackgroundModel } from '../stages/background.ts';
import { findSources, maskDetectionsInto, type SourceCatalog } from '../stages/detect.ts';
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

/** The refs of a sensor's current image and mask (both put with `{ transfer: true }`, so they can be taken). */
export interface SensorRefs {
  readonly frame: SensorFrame;
  readonly image: Ref<Float32Array>;
  readonly mask: Ref<Uint8Array>;
}

/** What the background stage leaves: the subtracted image's refs, the model, and the image's checksum. */
export interface SubtractedSensor {
  readonly refs: SensorRefs;
  readonly model: BackgroundModel;
  /** `imageChecksum` of the background-subtracted image, taken when it was made. */
  readonly checksum: string;
}

export const backgroundRounds = 3;
export const matchRadii = [3, 1.5, 0.8, 0.5] as const;
export const psfRounds = 2;
const detectSigma = 5;
const maskSigma = 3;

/** Makes the sensor's image on demand, in scratch memory, and hands image and mask to the store. */
export function* loadSensor(input: SensorInput): Stage<SensorRefs> {
  const frame = sensorFrame(input.camera, input.sensor);
  const pixels = frame.width * frame.height;
  const image = yield* scratch(Float32Array, pixels);
  const mask = yield* scratch(Uint8Array, pixels);
  const signal = yield* scratch(Float64Array, signalBandRows(frame.width, frame.height) * frame.width);
  renderSensorInto(input, image, mask, signal);
  checkSensorImage(input.sensor, image, mask, frame.width, frame.height);
  return { frame, image: yield* put(image, { transfer: true }), mask: yield* put(mask, { transfer: true }) };
}

/** The focal plane's pixel noise: each sensor's clipped spread, then the median over sensors. */
export function* measureNoise(refs: SensorRefs): Stage<number> {
  const image = yield* get(refs.image);
  const sample = yield* scratch(Float64Array, Math.ceil(image.length / 7));
  for (let k = 0, n = 0; k < image.length; k += 7) sample[n++] = image[k] as number;
  const [, spread] = clippedMean(sample, sample.length);
  return yield* gather(spread, medianOf);
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Background: mask sources, bin, fit centrally; three rounds, then subtract in place (the image is
 * taken: the unsubtracted version is gone) and checksum the result while it is in hand.
 */
export function* backgroundStage(refs: SensorRefs, noise: number): Stage<SubtractedSensor> {
  let current = refs;
  let model: BackgroundModel | undefined;
  for (let round = 0; round < backgroundRounds; round++) {
    const step = yield* maskAndBin(current, model, noise);
    current = step.refs;
    model = yield* gather(step.bins, fitBackground, { perMember: true });
  }
  const fitted = model as BackgroundModel;
  const image = yield* take(current.image);
  subtractBackgroundInto(current.frame, image, fitted, image);
  const checksum = imageChecksum(image);
  return { refs: { ...current, image: yield* put(image, { transfer: true }) }, model: fitted, checksum };
}

/** One round's per-sensor half: detect on the residual, update the mask in place, bin the masked image. */
function* maskAndBin(refs: SensorRefs, model: BackgroundModel | undefined, noise: number): Stage<{ refs: SensorRefs; bins: BackgroundBins }> {
  const { frame } = refs;
  const image = yield* get(refs.image);
  const mask = yield* take(refs.mask);
  const residual = yield* scratch(Float32Array, image.length);
  if (model) subtractBackgroundInto(frame, image, model, residual);
  else subtractConstantInto(image, mask, residual, yield* scratch(Float64Array, Math.ceil(image.length / 5)));
  const catalog = findSources(residual, mask, frame.width, frame.height, detectSigma * noise);
  maskDetectionsInto(residual, mask, frame.width, frame.height, catalog, maskSigma * noise, noise, mask);
  const bins = binBackground(frame, image, mask, Math.max(32, Math.floor(frame.width / 16)));
  return { refs: { ...refs, mask: yield* put(mask, { transfer: true }) }, bins };
}

/**
 * Detection and measurement on the background-subtracted image; the catalog goes in a ref. This is the
 * last use of the image and mask: they are taken, so the store frees them when this step ends.
 */
export function* detectStage(refs: SensorRefs, noise: number): Stage<Ref<SourceCatalog>> {
  const catalog = findSources(yield* take(refs.image), yield* take(refs.mask), refs.frame.width, refs.frame.height, detectSigma * noise);
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
