// An algorithm that does nothing but place one member on each cluster worker, so the baseline probe
// (`loaded-process.mjs`) can count what idle workers with skyloom and the algorithms loaded cost. It
// uses the compiled copy named by SKYLOOM_PROBE_BUILD (the one the probe and a real run load), in the
// probe's thread and in each worker. Side-effect free apart from loading the algorithms, as a worker
// loads them for a real run.
const build = process.env.SKYLOOM_PROBE_BUILD;
if (!build) throw new Error('idle-algorithm.mjs: SKYLOOM_PROBE_BUILD names no compiled build');
const { algorithm, scatter } = await import(new URL('lib/index.js', `file://${build}/`).href);
await import(new URL('algorithms/index.js', `file://${build}/`).href);

export const idleMember = algorithm(import.meta.url, async function* idleMember(_ctx, index) {
  return index;
});

export const idleRoot = algorithm(import.meta.url, async function* idleRoot(_ctx, members) {
  return yield* scatter(
    idleMember,
    Array.from({ length: members }, (_, i) => i),
  );
});
