/**
 * The one error class of the project. It carries what was expected, what was got and a hint;
 * only `src/cli` turns it into a message and an exit code.
 */
export type ErrorKind = 'user' | 'usage';

export interface RnnErrorInit {
  expected?: string;
  got?: string;
  hint?: string;
  /** 'usage' for impossible options (exit 2), 'user' for bad input files and the like (exit 1). */
  kind?: ErrorKind;
  cause?: unknown;
}

export class RnnError extends Error {
  readonly expected?: string;
  readonly got?: string;
  readonly hint?: string;
  readonly kind: ErrorKind;

  constructor(message: string, init: RnnErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'RnnError';
    this.expected = init.expected;
    this.got = init.got;
    this.hint = init.hint;
    this.kind = init.kind ?? 'user';
  }
}

/** A short description of a JSON value for error messages. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing (missing)';
  if (typeof v === 'string') return JSON.stringify(v.length > 48 ? v.slice(0, 48) + '…' : v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return String(v);
}
