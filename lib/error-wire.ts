/**
 * Errors as plain data, so they cross a thread boundary whole. `postMessage` (and so comlink and
 * piscina) keeps only an error's name, message and stack: the stable `code`, `unitPath`, `site`,
 * `units`, `ref` and the `cause` chain would be lost. `errorToWire` keeps them; `errorFromWire` rebuilds
 * a `SkyloomError` / `SkyloomTypeError` / built-in error of the same kind with the remote stack.
 *
 * Something thrown that is not an Error crosses as it is when it can be cloned (so `throw { code: 'X' }`
 * arrives equal, code included), else as an Error keeping its `code` and describing it.
 *
 * It does not cover AggregateError's `errors` list nor own properties other than the ones above
 * (except a string `code` on any error, as Node's errors have). Neither function throws.
 */
import { findUncloneable } from './clone-check.ts';
import { codeOf, describeThrown, SkyloomError, SkyloomTypeError, type ErrorCode } from './errors.ts';

export type WireError =
  | {
      readonly kind: 'error';
      /** Which class to rebuild: `SkyloomError`, `SkyloomTypeError`, or a built-in error's name. */
      readonly type: string;
      readonly name: string;
      readonly message: string;
      readonly stack?: string;
      readonly code?: string;
      readonly unitPath?: string;
      readonly site?: string;
      readonly units?: readonly string[];
      readonly ref?: string;
      readonly expected?: string;
      readonly got?: string;
      readonly cause?: WireError;
    }
  /** Something thrown that is not an Error: kept as is when it can be cloned, else described. */
  | { readonly kind: 'value'; readonly value: unknown };

/** Longest `cause` chain kept (a guard against cycles). */
const maxDepth = 16;

const builtIns: Record<string, new (message?: string) => Error> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

export function errorToWire(error: unknown, depth = 0): WireError {
  if (!(error instanceof Error)) return findUncloneable(error) ? thrownValue(error) : { kind: 'value', value: error };
  const e = error as Error & Partial<Record<'code' | 'unitPath' | 'site' | 'ref' | 'expected' | 'got', unknown>> & { units?: unknown };
  const type = error instanceof SkyloomError ? 'SkyloomError' : error instanceof SkyloomTypeError ? 'SkyloomTypeError' : builtInName(error);
  const hasCause = 'cause' in error && depth < maxDepth;
  return {
    kind: 'error',
    type,
    name: error.name,
    message: error.message,
    ...(typeof error.stack === 'string' ? { stack: error.stack } : {}),
    ...stringField('code', e.code),
    ...stringField('unitPath', e.unitPath),
    ...stringField('site', e.site),
    ...stringField('ref', e.ref),
    ...stringField('expected', e.expected),
    ...stringField('got', e.got),
    ...(Array.isArray(e.units) ? { units: e.units.filter((u): u is string => typeof u === 'string') } : {}),
    ...(hasCause ? { cause: errorToWire(error.cause, depth + 1) } : {}),
  };
}

export function errorFromWire(wire: WireError): unknown {
  if (wire.kind === 'value') return wire.value;
  const cause = wire.cause ? { cause: errorFromWire(wire.cause) } : {};
  let error: Error;
  if (wire.type === 'SkyloomError') {
    const details = { ...optional('unitPath', wire.unitPath), ...optional('site', wire.site), ...optional('ref', wire.ref), ...(wire.units ? { units: wire.units } : {}), ...cause };
    error = new SkyloomError((wire.code ?? 'SKY_UNIT_FAILED') as ErrorCode, wire.message, details);
  } else if (wire.type === 'SkyloomTypeError') {
    const details = { ...optional('unitPath', wire.unitPath), ...optional('site', wire.site), ...(wire.code ? { code: wire.code as ErrorCode } : {}) };
    error = new SkyloomTypeError('', wire.expected ?? '', wire.got ?? '', details);
    Object.defineProperty(error, 'message', { value: wire.message, writable: true, configurable: true, enumerable: false });
    if ('cause' in cause) Object.defineProperty(error, 'cause', { value: cause.cause, writable: true, configurable: true, enumerable: false });
  } else {
    const Type = builtIns[wire.type] ?? Error;
    error = new Type(wire.message);
    if ('cause' in cause) Object.defineProperty(error, 'cause', { value: cause.cause, writable: true, configurable: true, enumerable: false });
    if (wire.code !== undefined) Object.defineProperty(error, 'code', { value: wire.code, writable: true, configurable: true, enumerable: true });
  }
  if (error.name !== wire.name) Object.defineProperty(error, 'name', { value: wire.name, writable: true, configurable: true, enumerable: false });
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
}

/**
 * A thrown non-Error that cannot be cloned (`throw { code: 'X', retry: () => … }`, a symbol): it
 * crosses as an Error that keeps its `code` and says what was thrown, rather than as `String(value)`
 * ("[object Object]"), which kept neither.
 */
function thrownValue(value: unknown): WireError {
  const code = codeOf(value);
  return { kind: 'error', type: 'Error', name: 'Error', message: describeThrown(value), ...(code === undefined ? {} : { code }) };
}

function builtInName(error: Error): string {
  for (const name of Object.keys(builtIns).reverse()) if (error instanceof (builtIns[name] as typeof Error)) return name;
  return 'Error';
}

function stringField<K extends string>(key: K, value: unknown): { [P in K]?: string } {
  return (typeof value === 'string' ? { [key]: value } : {}) as { [P in K]?: string };
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
