/** The directory of an up-to-date compiled copy of the project at `root` (built if missing or stale). */
export declare function compiledBuild(root: string): string;
