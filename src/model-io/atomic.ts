/**
 * Atomic file writes: the data goes to a temporary file in the same directory, is fsync'ed, and
 * is renamed over the target, so `path` holds either the old file or the complete new one, never
 * a partial write. The temporary file is removed on failure.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
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
  removeStaleTemps(dir, basename(target));
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', 0o644);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    let dirExists = false;
    try {
      dirExists = statSync(dir).isDirectory();
    } catch {
      // it does not
    }
    const missing = code === 'ENOENT' && !dirExists; // ENOENT in an existing directory: e.g. /proc, which takes no new files
    throw new RnnError(`cannot write ${path}`, {
      got: missing ? `the directory ${dir} does not exist` : code === 'ENOENT' ? `no new files can be created in ${dir}` : (e as Error).message,
      hint: missing ? 'create the directory first, or choose another path' : 'choose another path, or check the directory permissions and free space',
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

/**
 * Temporary files of earlier writes to the same target whose process is gone (killed mid-write,
 * e.g. SIGKILL or a power cut) are removed; those of a live process (a concurrent run) are left.
 */
function removeStaleTemps(dir: string, name: string): void {
  const prefix = `.${name}.`;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return; // the open below reports the problem
  }
  for (const entry of entries) {
    if (!entry.startsWith(prefix) || !entry.endsWith('.tmp')) continue;
    const m = /^(\d+)\.[0-9a-f]{12}\.tmp$/.exec(entry.slice(prefix.length));
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && alive(pid)) continue;
    try {
      unlinkSync(join(dir, entry));
    } catch {
      // gone already, or not ours to remove
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, belongs to someone else
  }
}
