import { readFileSync } from 'node:fs';
import { RnnError } from '../errors.js';
import { decodeUtf8 } from '../tokenizer/utf8.js';

/** A UTF-8 text file ("-": stdin) for --file options; invalid UTF-8 is reported with its offset. */
export function readTextFile(path: string, option: string): string {
  let bytes: Buffer;
  try {
    bytes = path === '-' ? readFileSync(0) : readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new RnnError(`cannot read ${path}`, {
      expected: 'a readable UTF-8 text file', got: code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : String(code),
      hint: `check the path given to ${option}`,
    });
  }
  return decodeUtf8(bytes, path === '-' ? 'stdin' : path);
}
