import { readFileSync } from 'node:fs';
import { RnnError } from '../errors.js';
import type { EosMode } from '../tokenizer/segment.js';
import { decodeUtf8 } from '../tokenizer/utf8.js';

/**
 * A UTF-8 text file ("-": stdin) for --file options, read as `rnn train` reads a corpus: invalid
 * UTF-8 is reported with its offset, a leading byte-order mark is dropped, CRLF becomes '\n'.
 */
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
  return decodeUtf8(bytes, path === '-' ? 'stdin' : path).replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
}

/** A file's texts as the model cuts sequences: its paragraphs for --eos paragraph, else its lines; empty ones dropped. */
export function readTexts(path: string, option: string, eos: EosMode): string[] {
  const text = readTextFile(path, option);
  return (eos === 'paragraph' ? text.split('\n\n') : text.split('\n')).map((t) => t.replace(/\n+$/, '')).filter((t) => t.length > 0);
}
