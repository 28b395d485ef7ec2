// The runners of skyloom, exported by name (`skyloom/runners`).
export { inlineRunner } from './inline.ts';
export type { InlineRunnerOptions } from './inline.ts';
