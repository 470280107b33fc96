import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RnnError } from '../../src/errors.ts';
import { EOS_ID as EOS, UNK_ID as UNK } from '../../src/tokenizer/tokens.ts';
import { UNK_TEXT, Vocab, type EosMode } from '../../src/tokenizer/vocab.ts';

const unicode = readFileSync(new URL('../fixtures/corpora/unicode.txt', import.meta.url), 'utf8');
const bytesOf = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const MODES: EosMode[] = ['line', 'paragraph', 'none'];

describe('Vocab', () => {
  it('reserves 0 = <EOS>, 1 = <UNK>, then characters by code point', () => {
    const v = Vocab.fromText('cab\nb', { eos: 'line' });
    expect(v.size).toBe(5);
    expect([0, 1, 2, 3, 4].map((i) => v.tokenName(i))).toEqual(['<EOS>', '<UNK>', 'a', 'b', 'c']);
    expect(v.idOf('a'.codePointAt(0)!)).toBe(2);
    expect(v.idOf('z'.codePointAt(0)!)).toBe(UNK);
  });

  it('uses code points: emoji, CJK, combining marks are one token each and round-trip', () => {
    const v = Vocab.fromText(unicode, { eos: 'line' });
    const chars = new Set([...unicode.replace(/\n/g, '')]);
    expect(v.size).toBe(chars.size + 2);
    expect(v.has('😀'.codePointAt(0)!)).toBe(true);
    expect(v.has(0x301)).toBe(true); // the combining acute accent is its own token
    const { ids, unknown } = v.encode(unicode, { start: false });
    expect(unknown).toBe(0);
    expect(ids.length).toBe([...unicode].length);
    expect(v.decode(ids)).toBe(unicode);
    // astral characters are a single id, not two surrogate halves
    const e = v.encode('😀', { start: false }).ids;
    expect(e.length).toBe(1);
    expect(v.tokenName(e[0])).toBe('😀');
  });

  for (const eos of MODES) {
    it(`round-trips text and bytes in eos mode "${eos}"`, () => {
      const texts = [unicode, '', '\n', '\n\n', '\n\n\n', 'a\n\n\nb\n', 'x\n\n\n\ny', 'no newline at end', 'ends\n\n'];
      for (const t of texts) {
        const v = Vocab.fromText(t + 'q', { eos });
        const fromString = v.encode(t, { start: false });
        const fromBytes = v.encode(bytesOf(t), { start: false });
        expect(Array.from(fromBytes.ids)).toEqual(Array.from(fromString.ids));
        expect(v.decode(fromString.ids)).toBe(t);
        expect(fromString.unknown).toBe(0);
      }
    });
  }

  it('cuts sequences as documented for each mode', () => {
    const t = 'ab\ncd\n\nef';
    const line = Vocab.fromText(t, { eos: 'line' });
    expect(line.decode(line.encode(t).ids)).toBe('\n' + t); // the leading <EOS> decodes to '\n' too
    expect(Array.from(line.encode(t).ids, (i) => line.tokenName(i)).join(' ')).toBe('<EOS> a b <EOS> c d <EOS> <EOS> e f');
    const para = Vocab.fromText(t, { eos: 'paragraph' });
    expect(Array.from(para.encode(t).ids, (i) => para.tokenName(i)).join(' ')).toBe('<EOS> a b \n c d <EOS> e f');
    expect(para.separator).toBe('\n\n');
    expect(para.has(0x0a)).toBe(true);
    const none = Vocab.fromText(t, { eos: 'none' });
    expect(Array.from(none.encode(t).ids, (i) => none.tokenName(i)).join(' ')).toBe('<EOS> a b \n c d \n \n e f');
    expect(none.decode([EOS])).toBe('');
    expect(line.has(0x0a)).toBe(false);
  });

  it('start and end markers: the stream a model trains on and a scored sentence', () => {
    const v = Vocab.fromText('abc\n', { eos: 'line' });
    expect(Array.from(v.encode('ab').ids)).toEqual([EOS, 2, 3]);
    expect(Array.from(v.encode('ab', { end: true }).ids)).toEqual([EOS, 2, 3, EOS]);
    expect(Array.from(v.encode('ab\n', { end: true }).ids)).toEqual([EOS, 2, 3, EOS]);
    expect(Array.from(v.encode('', { end: true }).ids)).toEqual([EOS, EOS]);
    expect(Array.from(v.encode('ab', { start: false }).ids)).toEqual([2, 3]);
  });

  it('minCount maps rare characters to <UNK> and counts them', () => {
    const t = 'aaabbc\n';
    const v = Vocab.fromText(t, { eos: 'line', minCount: 2 });
    expect(v.chars).toEqual([0x61, 0x62]);
    const { ids, unknown } = v.encode(t);
    expect(unknown).toBe(1);
    expect(Array.from(ids)).toEqual([EOS, 2, 2, 2, 3, 3, UNK, EOS]);
    expect(v.decode(ids)).toBe('\naaabb\uFFFD\n');
    expect(v.decode(ids, { unk: '?' })).toBe('\naaabb?\n');
    expect(UNK_TEXT).toBe('\uFFFD');
  });

  it('maxVocab keeps the most frequent, ties broken by code point', () => {
    // counts: d 4, b 2, c 2, a 2, e 1 ; V = 5 → 3 characters: d, then a, b (ties by code point)
    const t = 'ddddbbccaae';
    const v = Vocab.fromText(t, { eos: 'none', maxVocab: 5 });
    expect(v.size).toBe(5);
    expect(v.chars.map((c) => String.fromCodePoint(c))).toEqual(['a', 'b', 'd']);
    expect(v.encode(t).unknown).toBe(3); // c c e
    const both = Vocab.fromText(t, { eos: 'none', maxVocab: 10, minCount: 3 });
    expect(both.chars).toEqual(['d'.codePointAt(0)]);
  });

  it('counts characters unseen in training at encode time', () => {
    const v = Vocab.fromText('hello world\n', { eos: 'line' });
    const { ids, unknown } = v.encode('héllo 😀 wörld');
    expect(unknown).toBe(3);
    expect(v.decode(ids.subarray(1))).toBe('h\uFFFDllo \uFFFD w\uFFFDrld');
  });

  it('chooses a compact id array, or Int32Array on request', () => {
    const v = Vocab.fromText('abc', { eos: 'line' });
    expect(v.encode('abc').ids).toBeInstanceOf(Uint8Array);
    expect(v.encode('abc', { int32: true }).ids).toBeInstanceOf(Int32Array);
    const big = Vocab.fromText(Array.from({ length: 300 }, (_, k) => String.fromCodePoint(0x4e00 + k)).join(''), { eos: 'line' });
    expect(big.encode('一').ids).toBeInstanceOf(Uint16Array);
  });

  it('reports invalid UTF-8 in byte input with the offset', () => {
    const v = Vocab.fromText('ab', { eos: 'line' });
    expect(() => v.encode(new Uint8Array([0x61, 0x62, 0xc3]), { source: 'x.txt' })).toThrow(/x.txt at byte offset 2/);
  });

  it('rejects impossible options', () => {
    expect(() => Vocab.fromText('a', { eos: 'line', minCount: 0 })).toThrow(/--min-count/);
    expect(() => Vocab.fromText('a', { eos: 'line', maxVocab: 2 })).toThrow(/--max-vocab/);
    expect(() => Vocab.fromText('a', { eos: 'lines' as EosMode })).toThrow(/--eos/);
    const v = Vocab.fromText('a', { eos: 'line' });
    expect(() => v.decode([3])).toThrow(RnnError);
  });

  it('toJSON / fromJSON round-trip and validation', () => {
    for (const eos of MODES) {
      const v = Vocab.fromText(unicode, { eos, minCount: 1, maxVocab: 40 });
      const back = Vocab.fromJSON(JSON.parse(JSON.stringify(v.toJSON())));
      expect(back.chars).toEqual(v.chars);
      expect(back.eos).toBe(eos);
      expect(back.maxVocab).toBe(40);
      expect(Array.from(back.encode(unicode).ids)).toEqual(Array.from(v.encode(unicode).ids));
    }
    const good = Vocab.fromText('abc', { eos: 'line' }).toJSON();
    const bad = (patch: object) => () => Vocab.fromJSON({ ...good, ...patch });
    expect(bad({ eos: 'word' })).toThrow(/eos/);
    expect(bad({ reserved: ['<UNK>', '<EOS>'] })).toThrow(/reserved/);
    expect(bad({ chars: ['b', 'a'] })).toThrow(/chars\[1\]/);
    try {
      bad({ chars: ['b', 'a'] })();
    } catch (e) {
      expect((e as RnnError).expected).toMatch(/increasing/);
    }
    expect(bad({ chars: ['a', 'a'] })).toThrow(/chars\[1\]/);
    expect(bad({ chars: ['ab'] })).toThrow(/chars\[0\]/);
    expect(bad({ chars: ['\ud800'] })).toThrow(/chars\[0\]/);
    expect(bad({ chars: ['\n'] })).toThrow(/chars\[0\]/);
    expect(bad({ chars: 'abc' })).toThrow(/chars/);
    expect(bad({ minCount: 0 })).toThrow(/minCount/);
    expect(bad({ maxVocab: 3 })).toThrow(/chars/);
    expect(() => Vocab.fromJSON(null)).toThrow(RnnError);
    expect(Vocab.fromJSON({ ...good, eos: 'none', chars: ['\n', 'a'] }).size).toBe(4);
  });
});
