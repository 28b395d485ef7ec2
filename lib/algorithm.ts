import type { Context } from './context.ts';
import { SkyloomTypeError } from './errors.ts';
import { describeValue } from './describe-value.ts';
import type { Primitive } from './primitive.ts';

export type AlgorithmFn<I, O> = (ctx: Context, input: I) => AsyncGenerator<Primitive, O, unknown>;

/**
 * An algorithm: a named async generator function plus the module that exports it, so any thread can
 * load it again with `import(moduleUrl)` and find it by name.
 */
export interface Algorithm<I = unknown, O = unknown> {
  readonly $algorithm: true;
  readonly moduleUrl: string;
  readonly name: string;
  readonly fn: AlgorithmFn<I, O>;
}

const asyncGeneratorTag = '[object AsyncGeneratorFunction]';

export function algorithm<I, O>(moduleUrl: string, fn: AlgorithmFn<I, O>): Algorithm<I, O> {
  if (typeof moduleUrl !== 'string' || !/^[a-z][a-z0-9+.-]*:/i.test(moduleUrl)) {
    throw new SkyloomTypeError('algorithm(moduleUrl, fn): moduleUrl', 'a module URL such as import.meta.url', describeValue(moduleUrl));
  }
  if (typeof fn !== 'function' || Object.prototype.toString.call(fn) !== asyncGeneratorTag) {
    throw new SkyloomTypeError('algorithm(moduleUrl, fn): fn', 'an async generator function (async function* name(ctx, input))', describeValue(fn));
  }
  if (!fn.name) {
    throw new SkyloomTypeError('algorithm(moduleUrl, fn): fn', 'a named async generator function', 'an anonymous one');
  }
  return Object.freeze({ $algorithm: true as const, moduleUrl, name: fn.name, fn });
}

/** True for a value made by `algorithm()`. Never throws. */
export function isAlgorithm(value: unknown): value is Algorithm<unknown, unknown> {
  return typeof value === 'object' && value !== null && (value as { $algorithm?: unknown }).$algorithm === true;
}
