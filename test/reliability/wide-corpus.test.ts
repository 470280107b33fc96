/**
 * Attack 3b: a corpus with tens of thousands of distinct characters (CJK, plus astral-plane
 * characters that are surrogate pairs in JS). Training works with --max-vocab / --min-count and
 * <UNK>, and sampling, evaluation and scoring print proper characters.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModelFile } from '../../src/model-io/index.ts';
import { Fuzz, rnn, tempDir } from './helpers.ts';

/** Zipf-like CJK text: a few hundred common characters, a long tail of ~30,000 rare ones, some astral. */
function cjkText(f: Fuzz, chars: number): string {
  const lines: string[] = [];
  let line = '';
  for (let i = 0; i < chars; i++) {
    const u = f.rng.uniform();
    let cp: number;
    if (u < 0.6) cp = 0x4e00 + f.int(300); // common
    else if (u < 0.97) cp = 0x4e00 + f.int(0x5200); // CJK Unified Ideographs: 20,992 characters
    else if (u < 0.99) cp = 0x20000 + f.int(10_000); // CJK Extension B (astral: surrogate pairs)
    else cp = 0x3002; // 。
    line += String.fromCodePoint(cp);
    if (f.int(40) === 0) {
      lines.push(line);
      line = '';
    }
  }
  lines.push(line);
  return lines.join('\n') + '\n';
}

const isCjk = (cp: number) => (cp >= 0x4e00 && cp < 0xa000) || (cp >= 0x20000 && cp < 0x2a6e0) || cp === 0x3002;

describe('a corpus of tens of thousands of distinct characters', () => {
  let dir: string;
  let distinct: number;

  beforeAll(() => {
    dir = tempDir();
    const f = new Fuzz(1949);
    const text = cjkText(f, 250_000);
    distinct = new Set(text.replace(/\n/g, '')).size;
    writeFileSync(join(dir, 'zh.txt'), text);
    writeFileSync(join(dir, 'zh-held-out.txt'), cjkText(new Fuzz(2024), 5_000));
    const r = rnn(['train', 'zh.txt', '--hidden', '16', '--layers', '1', '--steps', '3', '--batch-size', '8', '--seq-length', '32',
      '--max-vocab', '3000', '--min-count', '2', '--seed', '1', '--threads', '1', '--output', 'zh.json', '--quiet'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
  });

  it('the corpus really is wide (> 20,000 distinct characters)', () => {
    expect(distinct).toBeGreaterThan(20_000);
  });

  it('--max-vocab caps the vocabulary; the most frequent characters are kept, the rest are <UNK>', () => {
    const file = loadModelFile(join(dir, 'zh.json'));
    expect(file.vocab.size).toBe(3000);
    expect(file.vocab.has(0x4e00)).toBe(true); // a common character
    const r = rnn(['info', '--model', 'zh.json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/3000 ids/);
  });

  it('sampling prints proper CJK characters (valid UTF-8, whole code points)', () => {
    const r = rnn(['sample', '--model', 'zh.json', '--length', '200', '--seed', '3', '--prime', '一丁'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith('一丁')).toBe(true);
    const cps = [...r.stdout].map((c) => c.codePointAt(0)!);
    expect(cps.filter(isCjk).length).toBeGreaterThan(100);
    // No lone surrogates and nothing but CJK, newlines and <UNK>'s U+FFFD.
    for (const cp of cps) expect(isCjk(cp) || cp === 0x0a || cp === 0xfffd, `U+${cp.toString(16)}`).toBe(true);
    expect(Buffer.from(r.stdout, 'utf8').toString('utf8')).toBe(r.stdout);
  });

  it('evaluation on held-out text counts the <UNK>s and reports finite figures', () => {
    const r = rnn(['eval', 'perplexity', '--model', 'zh.json', 'zh-held-out.txt', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.tokens).toBeGreaterThan(4000);
    expect(j.unknown).toBeGreaterThan(0);
    expect(Number.isFinite(j.nats) && Number.isFinite(j.perplexity)).toBe(true);
  });

  it('scoring CJK lines (with characters outside the vocabulary) prints them back intact', () => {
    const lines = ['一丁七万丈三上下', '𠀀𠀁𠀂', '鿿鿾鿽'];
    const r = rnn(['score', '--model', 'zh.json', ...lines], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    for (const l of lines) expect(r.stdout).toContain(l);
    expect(r.stderr).toMatch(/<UNK>/);
  });

  it('without a cap the full vocabulary (> 20,000 ids) trains too, with a small batch', () => {
    const r = rnn(['train', 'zh.txt', '--hidden', '8', '--layers', '1', '--steps', '2', '--batch-size', '2', '--seq-length', '16',
      '--seed', '1', '--threads', '1', '--val-fraction', '0.01', '--output', 'wide.json', '--quiet'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(loadModelFile(join(dir, 'wide.json')).vocab.size).toBe(distinct + 2);
    const s = rnn(['sample', '--model', 'wide.json', '--length', '50', '--seed', '1'], { cwd: dir });
    expect(s.code, s.stderr).toBe(0);
    expect([...s.stdout].filter((c) => isCjk(c.codePointAt(0)!)).length).toBeGreaterThan(30);
    void readFileSync;
  });
});
