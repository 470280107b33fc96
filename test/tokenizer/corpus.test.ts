import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { RnnError } from '../../src/errors.ts';
import { corpusFromText, readCorpus, splitTrainVal } from '../../src/tokenizer/corpus.ts';
import { Vocab } from '../../src/tokenizer/vocab.ts';

const dir = mkdtempSync(join(tmpdir(), 'rnn-corpus-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const fixture = new URL('../fixtures/corpora/unicode.txt', import.meta.url).pathname;
const shakespeare = new URL('../../corpora/tinyshakespeare.txt', import.meta.url).pathname;

async function rejection(p: Promise<unknown>): Promise<RnnError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(RnnError);
    return e as RnnError;
  }
  throw new Error('expected a rejection');
}

describe('readCorpus', () => {
  it('reads the bundled corpus: size, characters, SHA-256', async () => {
    const c = await readCorpus([shakespeare]);
    const raw = readFileSync(shakespeare);
    expect(c.name).toBe('tinyshakespeare.txt');
    expect(c.bytes).toBe(1115394);
    expect(c.chars).toBe(1115394);
    expect(c.sha256).toBe(createHash('sha256').update(raw).digest('hex'));
    expect(c.sha256).toBe('86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed');
    const v = Vocab.fromText(c.data, { eos: 'none' });
    expect(v.size).toBe(65 + 2);
  });

  it('counts code points of a Unicode file and keeps its text', async () => {
    const c = await readCorpus([fixture]);
    const text = readFileSync(fixture, 'utf8');
    expect(c.chars).toBe([...text].length);
    expect(c.text()).toBe(text);
  });

  it('joins several files, adding a newline after a file that lacks one, and drops BOMs', async () => {
    const a = file('a.txt', 'one\ntwo');
    const b = file('b.txt', new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from('three\n')]));
    const c = file('c.txt', 'four');
    const k = await readCorpus([a, b, c]);
    expect(k.text()).toBe('one\ntwo\nthree\nfour');
    expect(k.name).toBe('a.txt+b.txt+c.txt');
    expect(k.chars).toBe(18);
    expect(k.bytes).toBe(18);
    expect(k.files.map((f) => f.bytes)).toEqual([7, 9, 4]);
    expect(k.sha256).toBe(createHash('sha256').update('one\ntwo\nthree\nfour').digest('hex'));
  });

  it('reads stdin for -', async () => {
    const k = await readCorpus('-', { stdin: Readable.from([Buffer.from('héllo '), Buffer.from([0xf0, 0x9f]), Buffer.from([0x98, 0x80])]) });
    expect(k.text()).toBe('héllo 😀');
    expect(k.name).toBe('stdin');
    expect(k.chars).toBe(7);
  });

  it('errors: missing file, directory, empty, binary, invalid UTF-8', async () => {
    let e = await rejection(readCorpus([join(dir, 'nope.txt')]));
    expect(e.message).toMatch(/corpus file not found: .*nope.txt/);
    expect(e.hint).toMatch(/bundled/);
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    e = await rejection(readCorpus([sub]));
    expect(e.message).toMatch(/is a directory/);
    expect(e.hint).toContain('/*.txt');
    e = await rejection(readCorpus([file('empty.txt', ''), file('bom.txt', new Uint8Array([0xef, 0xbb, 0xbf]))]));
    expect(e.message).toMatch(/the corpus is empty/);
    e = await rejection(readCorpus([file('x.bin', new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]))]));
    expect(e.message).toMatch(/x.bin is a binary file/);
    expect(e.got).toBe('a NUL byte at byte offset 7');
    e = await rejection(readCorpus([file('latin1.txt', new Uint8Array([...Buffer.from('caf'), 0xe9, 0x0a]))]));
    expect(e.message).toMatch(/invalid UTF-8 in .*latin1.txt at byte offset 3/);
    e = await rejection(readCorpus([file('ctl.txt', 'a\x01\x02\x03\x04b')]));
    expect(e.message).toMatch(/looks like a binary file/);
    e = await rejection(readCorpus([]));
    expect(e.kind).toBe('usage');
  });

  it('a BOM does not shift the reported byte offset', async () => {
    const e = await rejection(readCorpus([file('bomlatin.txt', new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0xe9]))]));
    expect(e.message).toMatch(/byte offset 4/);
  });
});

describe('splitTrainVal', () => {
  it('takes the tail as validation; every prediction in exactly one part', () => {
    const ids = Int32Array.from({ length: 101 }, (_, i) => i);
    const s = splitTrainVal(ids, 0.1);
    expect(s.trainTokens).toBe(90);
    expect(s.valTokens).toBe(10);
    expect(s.train.length).toBe(91);
    expect(s.val.length).toBe(11);
    expect(s.val[0]).toBe(s.train[s.train.length - 1]); // input only
    expect(s.val[s.val.length - 1]).toBe(100);
    expect(s.trainTokens + s.valTokens).toBe(ids.length - 1);
  });

  it('no validation part for 0; at least one token for a tiny fraction; errors', () => {
    const ids = new Uint8Array(50);
    const none = splitTrainVal(ids, 0);
    expect(none.val.length).toBe(0);
    expect(none.valTokens).toBe(0);
    expect(none.trainTokens).toBe(49);
    expect(splitTrainVal(ids, 0.001).valTokens).toBe(1);
    expect(() => splitTrainVal(ids, 1)).toThrow(/--val-fraction/);
    expect(() => splitTrainVal(ids, -0.1)).toThrow(/--val-fraction/);
    expect(() => splitTrainVal(new Uint8Array(2), 0.5)).toThrow(/too small/);
  });

  it('works on an encoded corpus', () => {
    const c = corpusFromText('abc\ndef\n');
    const v = Vocab.fromText(c.data, { eos: 'line' });
    const { ids } = v.encode(c.data);
    expect(ids.length).toBe(9);
    const s = splitTrainVal(ids, 0.25);
    expect(v.decode(s.val)).toBe('ef\n');
  });
});
