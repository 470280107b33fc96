import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RnnError } from '../errors.js';

/**
 * The bytes of a file `npm run build` writes under dist/, found from this module whether it runs
 * compiled (dist/util/) or as a source (src/util/, in the tests). `what` completes "the build has no …".
 */
export function builtFile(path: string, what: string): Buffer {
  for (const rel of [`../${path}`, `../../dist/${path}`]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return readFileSync(p);
  }
  throw new RnnError(`the build has no ${what}`, { expected: `dist/${path}`, hint: 'run `npm run build`' });
}
