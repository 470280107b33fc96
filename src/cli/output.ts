import chalk from 'chalk';
import { RnnError } from '../errors.js';
import { write } from './streams.js';

/** Exit codes: 1 for a user's bad input, 2 for a usage error, 130 after Ctrl-C. */
export const EXIT_USER = 1;
export const EXIT_USAGE = 2;

/** The one place an error becomes a message: one line, then the hint; a stack trace only for bugs. */
export function reportError(err: unknown): number {
  if (err instanceof RnnError) {
    const detail = [err.expected && `expected ${err.expected}`, err.got && `got ${err.got}`].filter(Boolean).join(', ');
    write('stderr', `${chalk.red('error:')} ${err.message}${detail ? ` (${detail})` : ''}\n`);
    if (err.hint) write('stderr', `${chalk.dim('hint:')} ${err.hint}\n`);
    return err.kind === 'usage' ? EXIT_USAGE : EXIT_USER;
  }
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && e.syscall) {
    // An operating-system error the code did not anticipate: still one line, no stack.
    write('stderr', `${chalk.red('error:')} ${e.message}\n`);
    return EXIT_USER;
  }
  write('stderr', `${chalk.red('internal error:')} ${(err as Error)?.stack ?? String(err)}\n`);
  write('stderr', 'This is a bug in rnn; please report it with the command you ran.\n');
  return 70;
}

/** stderr lines for logs and warnings (stdout carries only the product). */
export function warn(message: string): void {
  write('stderr', `${chalk.yellow('warning:')} ${message}\n`);
}

export function info(message: string): void {
  write('stderr', `${message}\n`);
}

export function printJson(value: unknown): void {
  write('stdout', `${JSON.stringify(value)}\n`);
}

/** The product on stdout (a table, a result). */
export function out(text: string): void {
  write('stdout', text);
}

export { fmt, fmtDuration } from '../util/format.js';
