/**
 * Validation helpers for files read from disk: each problem is an RnnError naming the field
 * (e.g. `params["head.weight"].shape[1]`) with what was expected and what was got.
 */
import { RnnError, describeValue as describe } from '../errors.js';
import type { OptionSpec } from '../options.js';

export const DAMAGED_HINT = 'the file is damaged or was not written by rnn; retrain, or load an intact copy';

export { describeValue as describe } from '../errors.js';

/** Error text taken from a file stays one short line: control characters escaped, long text cut. */
export function oneLine(s: string, max = 160): string {
  // eslint-disable-next-line no-control-regex
  const t = /[\u0000-\u001f\u007f\u2028\u2029]/.test(s) ? JSON.stringify(s).slice(1, -1) : s;
  return t.length > max ? `${t.slice(0, max)}… (${t.length} characters)` : t;
}

/** The error for a field that is missing or wrong. `got` is described unless it is already a string. */
export function problem(field: string, expected: string, got: unknown, hint = DAMAGED_HINT): RnnError {
  return new RnnError(`bad ${oneLine(field, 200)}`, { expected: oneLine(expected, 400), got: typeof got === 'string' ? oneLine(got) : describe(got), hint });
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function object(v: unknown, field: string): Record<string, unknown> {
  if (!isObject(v)) throw problem(field, 'an object', v);
  return v;
}

export function string(v: unknown, field: string): string {
  if (typeof v !== 'string') throw problem(field, 'a string', v);
  return v;
}

export function boolean(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') throw problem(field, 'true or false', v);
  return v;
}

/** A finite number in [min, max] (max exclusive when `maxExclusive`). */
export function number(v: unknown, field: string, min = -Infinity, max = Infinity, maxExclusive = false): number {
  const ok = typeof v === 'number' && Number.isFinite(v) && v >= min && (maxExclusive ? v < max : v <= max);
  if (!ok) throw problem(field, `a number in [${min}, ${max}${maxExclusive ? ')' : ']'}`, v);
  return v as number;
}

export function integer(v: unknown, field: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw problem(field, max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`, v);
  }
  return v;
}

export function oneOf<T extends string>(v: unknown, field: string, values: readonly T[]): T {
  if (!values.includes(v as T)) throw problem(field, values.map((s) => `"${s}"`).join(' | '), v);
  return v as T;
}

/** `name` as a readable field path component: .name for identifiers, ["a.b"] otherwise. */
export function key(name: string): string {
  const short = name.length > 60 ? `${name.slice(0, 60)}…` : name;
  return /^[A-Za-z_$][\w$]*$/.test(short) ? `.${short}` : `[${JSON.stringify(short)}]`;
}

/** A field that holds an option's value (a file's record of it), checked as the option table checks the option. */
export function optionField<T>(v: unknown, field: string, spec: OptionSpec<T>): T {
  if ((spec.nullable && v === null) || spec.type.valid(v)) return v as T;
  throw problem(field, spec.type.expected, v);
}
