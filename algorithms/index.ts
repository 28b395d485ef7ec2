// The algorithms of skyloom and the synthetic camera they run on (`skyloom/algorithms`), exported by name.
export { cameraPresets, cameraPresetNames, isCameraPresetName, cameraPixels } from './camera/camera-spec.ts';
export type { CameraSpec, CameraPresetName } from './camera/camera-spec.ts';
export { sensorPlacements, focalPlaneRadius } from './camera/layout.ts';
export { renderSensor } from './sky/render-sensor.ts';
export { visitTruth } from './sky/truth.ts';
export { processVisit, processVisits, focalPlaneBackground, detectVisit, globalAstrometry, psfModel, sensorInputs } from './visit/process-visit.ts';
export type { VisitInput, VisitsInput, VisitResult, FailedSensor } from './visit/process-visit.ts';
export { processSensor, backgroundSensor, detectSensor, astrometrySensor, psfSensor } from './visit/sensor-algorithms.ts';
export type { SensorSummary, SensorBackground, SensorDetections } from './visit/sensor-algorithms.ts';
export type { SensorInput } from './visit/sensor-stages.ts';
export { scoreVisit } from './truth/score.ts';
export type { VisitScore } from './truth/score.ts';
