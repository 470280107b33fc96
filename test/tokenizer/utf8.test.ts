import { describe, expect, it } from 'vitest';
import { RnnError } from '../../src/errors.ts';
import { assertNotBinary, codePointLength, decodeUtf8, forEachCodePoint, looksBinary, scanUtf8 } from '../../src/tokenizer/utf8.ts';

const bytes = (...b: number[]) => new Uint8Array(b);
const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

function offsetOf(b: Uint8Array): number | null {
  try {
    scanUtf8(b, 'f.txt');
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(RnnError);
    expect((e as RnnError).message).toContain('f.txt');
    return Number(/byte offset (\d+)/.exec((e as Error).message)![1]);
  }
}

describe('strict UTF-8', () => {
  it('decodes every kind of code point like the platform decoder', () => {
    const s = 'aé€😀\u{10FFFF}\u0000\uFFFD漢';
    const cps: number[] = [];
    const n = forEachCodePoint(utf8(s), (cp) => cps.push(cp));
    expect(n).toBe(8);
    expect(cps).toEqual([...s].map((c) => c.codePointAt(0)));
    expect(decodeUtf8(utf8(s))).toBe(s);
  });

  it('agrees with TextDecoder(fatal) on random byte strings', () => {
    const td = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    let seed = 12345;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
    let valid = 0;
    for (let k = 0; k < 20000; k++) {
      const len = 1 + (rnd() % 6);
      const b = new Uint8Array(len);
      // bias towards plausible lead/continuation bytes
      for (let i = 0; i < len; i++) b[i] = [rnd(), 0x80 | (rnd() & 0x3f), 0xc0 | rnd(), 0xe0 | (rnd() & 0x1f), 0xf0 | (rnd() & 0x0f)][rnd() % 5];
      let ref: string | null;
      try {
        ref = td.decode(b);
      } catch {
        ref = null;
      }
      if (ref === null) expect(offsetOf(b)).not.toBeNull();
      else {
        valid++;
        expect(decodeUtf8(b)).toBe(ref);
      }
    }
    expect(valid).toBeGreaterThan(300);
  });

  it('names the byte offset of ill-formed sequences', () => {
    expect(offsetOf(bytes(0x61, 0x62, 0xff))).toBe(2); // never valid
    expect(offsetOf(bytes(0x61, 0x80))).toBe(1); // stray continuation
    expect(offsetOf(bytes(0x61, 0xc0, 0xaf))).toBe(1); // overlong '/'
    expect(offsetOf(bytes(0xe0, 0x80, 0xaf))).toBe(0); // overlong 3-byte
    expect(offsetOf(bytes(0x61, 0x61, 0x61, 0xed, 0xa0, 0x80))).toBe(3); // surrogate U+D800
    expect(offsetOf(bytes(0xf4, 0x90, 0x80, 0x80))).toBe(0); // > U+10FFFF
    expect(offsetOf(bytes(0x61, 0xe2, 0x82))).toBe(1); // truncated at the end
    expect(offsetOf(utf8('héllo wörld ') .slice(0, 2))).toBe(1); // cut in the middle of é
    expect(offsetOf(bytes(0x61, 0xe9, 0x74, 0xe9))).toBe(1); // Latin-1 "été"-like
  });

  it('reports line, bytes and a hint', () => {
    const b = new Uint8Array([...utf8('line one\nline two\nx'), 0xe9, 0x74, 0xe9]);
    try {
      scanUtf8(b, 'latin1.txt');
      expect.unreachable();
    } catch (e) {
      const err = e as RnnError;
      expect(err.message).toBe('invalid UTF-8 in latin1.txt at byte offset 19 (line 3, byte 2 of the line)');
      expect(err.got).toBe('bytes 0xE9 0x74 0xE9');
      expect(err.hint).toContain('iconv');
    }
    try {
      scanUtf8(bytes(0x61, 0xf0, 0x9f, 0x98), 't');
      expect.unreachable();
    } catch (e) {
      expect((e as RnnError).got).toContain('cut off by the end');
    }
  });

  it('detects binary input', () => {
    expect(() => assertNotBinary(bytes(0x61, 0x00, 0x62), 'a.bin')).toThrow(/a.bin is a binary file/);
    expect(() => assertNotBinary(bytes(0x61, 0x00, 0x62), 'a.bin')).toThrow(RnnError);
    const ctl = utf8('ab\x01\x02\x03cd');
    expect(() => assertNotBinary(ctl, 'c.bin', scanUtf8(ctl))).toThrow(/looks like a binary file/);
    const ok = utf8('tabs\tand\r\nnewlines\f are text\n\x1b[1m one escape in many characters of text\n');
    expect(() => assertNotBinary(ok, 'ok.txt', scanUtf8(ok))).not.toThrow();
    expect(looksBinary(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00))).toBe(true);
    expect(looksBinary(utf8('plain text'))).toBe(false);
  });

  it('counts code points, not UTF-16 units', () => {
    expect(codePointLength('a😀b')).toBe(3);
    expect('a😀b'.length).toBe(4);
    expect(scanUtf8(utf8('a😀b漢')).chars).toBe(4);
  });
});
