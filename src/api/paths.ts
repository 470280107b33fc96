import { accessSync, closeSync, constants, existsSync, openSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { RnnError } from '../errors.js';

/** Fails before training starts when a file cannot be written where the user asked. */
export function assertWritable(path: string, option: string): void {
  const abs = resolve(path);
  if (existsSync(abs) && statSync(abs).isDirectory()) {
    throw new RnnError(`${option} is a directory: ${path}`, { expected: 'a file path', got: 'a directory', hint: `e.g. ${option} ${path.replace(/\/?$/, '/model.json')}`, kind: 'usage' });
  }
  const dir = dirname(abs);
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    // access(W_OK) is always true for root: create and remove a probe file instead
    const probe = join(dir, `.${basename(abs)}.${process.pid}.probe`);
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
    if (existsSync(abs)) accessSync(abs, constants.W_OK);
  } catch {
    throw new RnnError(`cannot write ${option} ${path}`, {
      expected: 'a path in an existing, writable directory', got: dir,
      hint: 'create the directory, or choose another path', kind: 'usage',
    });
  }
}

/** A path as a user would write it here: relative to the current folder when inside it. */
export function displayPath(path: string): string {
  const r = relative(process.cwd(), path);
  return r !== '' && !r.startsWith('..') && !isAbsolute(r) ? r : path;
}

/** The path beside `from`, named after it with the extension `ext` (book.json, ".html" → book.html). */
export function withExtension(from: string, ext: string): string {
  return join(dirname(from), `${basename(from, extname(from))}${ext}`);
}
