/**
 * Finding model files without reading them whole: a model file starts with the bytes
 * {"format":"rnn-model" (serializeModelFile writes the format first). Checkpoints
 * (*.ckpt.json) are models too, but a folder's listing leaves them out.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FORMAT } from './model-file.js';

const HEAD = `{"format":"${FORMAT}"`;

/** Whether `path` is a file that starts as a model file does. */
export function looksLikeModel(path: string): boolean {
  let fd: number | undefined;
  try {
    if (!statSync(path).isFile()) return false;
    fd = openSync(path, 'r');
    const b = Buffer.alloc(HEAD.length);
    return readSync(fd, b, 0, b.length, 0) === b.length && b.toString('utf8') === HEAD;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function isCheckpointName(name: string): boolean {
  return name.endsWith('.ckpt.json');
}

/** The model files directly in `dir` (not checkpoints), sorted by name, as paths joined to `dir`. */
export function modelsIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.json') && !isCheckpointName(n))
    .sort()
    .map((n) => join(dir, n))
    .filter(looksLikeModel);
}
