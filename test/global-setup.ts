/**
 * Builds the compiled copy that `cli/bin.mjs` runs from the sources (cli/launcher/compiled-build.mjs)
 * once, before any test file spawns the command: otherwise the first few would each wait for the
 * build inside their own time limits.
 */
import { fileURLToPath } from 'node:url';
import { compiledBuild } from '../cli/launcher/compiled-build.mjs';

export default function setup(): void {
  compiledBuild(fileURLToPath(new URL('..', import.meta.url)));
}
