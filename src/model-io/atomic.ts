/**
 * Atomic file writes: the data goes to a temporary file in the same directory, is fsync'ed, and
 * is renamed over the target, so `path` holds either the old file or the complete new one, never
 * a partial write. The temporary file is removed on failure.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { RnnError } from '../errors.js';

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const target = resolve(path);
  const dir = dirname(target);
  let isDir = false;
  try {
    isDir = statSync(target).isDirectory();
  } catch {
    // does not exist yet: fine
  }
  if (isDir) {
    throw new RnnError(`cannot write ${path}: it is a directory`, { expected: 'a file path', got: 'a directory', hint: `give a file name, e.g. ${join(path, 'model.json')}` });
  }
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', 0o644);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new RnnError(`cannot write ${path}`, {
      got: code === 'ENOENT' ? `the directory ${dir} does not exist` : (e as Error).message,
      hint: code === 'ENOENT' ? 'create the directory first, or choose another path' : 'check the directory permissions and free space',
      cause: e,
    });
  }
  try {
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw new RnnError(`cannot write ${path}`, { got: (e as Error).message, hint: 'check free disk space and permissions', cause: e });
  }
  // Make the rename itself durable (best effort: not every platform can fsync a directory).
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // ignore
  }
}
