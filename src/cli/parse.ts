import { RnnError } from '../errors.js';

/** Option-value parsers for commander: a bad value is a usage error (exit 2) naming the option. */
function invalid(option: string, expected: string, got: string, hint?: string): RnnError {
  return new RnnError(`invalid value for ${option}`, { expected, got: JSON.stringify(got), hint, kind: 'usage' });
}

export function int(option: string, min = 1, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\s*[+-]?\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw invalid(option, max === Number.MAX_SAFE_INTEGER ? `a whole number ≥ ${min}` : `a whole number from ${min} to ${max}`, v);
    }
    return n;
  };
}

export function num(option: string, check: (n: number) => boolean, expected: string, hint?: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || !check(n)) throw invalid(option, expected, v, hint);
    return n;
  };
}

export function choice<T extends string>(option: string, choices: readonly T[]) {
  return (v: string): T => {
    if (!(choices as readonly string[]).includes(v)) throw invalid(option, `one of ${choices.join(', ')}`, v);
    return v as T;
  };
}

export const positive = (option: string, hint?: string) => num(option, (n) => n > 0, 'a positive number', hint);
export const probability = (option: string) => num(option, (n) => n >= 0 && n < 1, 'a number in [0, 1)');
