/**
 * Attack 1b: random bytes as corpora and random text as prime / lines to score. Each is either a
 * clean RnnError (invalid UTF-8 naming its offset, binary data, empty) or handled correctly:
 * counted code points, a vocabulary that round-trips the text, finite scores, <UNK> counted.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type LoadedModel } from '../../src/api/load.ts';
import { RnnError } from '../../src/errors.ts';
import { score } from '../../src/eval/score.ts';
import { sampleStream } from '../../src/sample/sample.ts';
import { readCorpus } from '../../src/tokenizer/corpus.ts';
import { Vocab } from '../../src/tokenizer/vocab.ts';
import { expectOneLine, expectRnnErrorOrOk, Fuzz, isCleanError, pool, spawnRnn, tempDir, trainTiny } from './helpers.ts';

/** Bytes that are sometimes valid UTF-8: random code points (surrogates, controls, astral), then damage. */
function corpusBytes(f: Fuzz): Buffer {
  const kind = f.int(5);
  if (kind === 0) return f.bytes(f.int(3000));
  const controls = kind !== 1 && kind !== 4; // kinds 1 and 4: text without stray control characters
  const cps: number[] = [];
  const n = f.int(1500);
  for (let i = 0; i < n; i++) {
    cps.push(f.pick([
      () => 0x20 + f.int(95), () => 0x0a, () => 0x0d, () => 0x09, () => (controls ? f.int(0x20) : 0x41), () => (controls ? 0x7f : 0x42),
      () => 0x80 + f.int(0x780), () => 0x4e00 + f.int(0x5000), () => 0x10000 + f.int(0x100000), () => 0xfeff, () => 0xfffd,
    ])());
  }
  let s = '';
  for (const cp of cps) s += String.fromCodePoint(cp);
  const b = Buffer.from(s, 'utf8');
  if (kind === 2 && b.length > 0) for (let k = 0; k < 1 + f.int(3); k++) b[f.int(b.length)] = 0x80 + f.int(0x80); // damage
  if (kind === 3 && f.chance(0.5)) return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b]);
  if (kind === 3) return Buffer.concat([b, Buffer.from(f.pick([[0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]))]);
  return b;
}

async function* chunksOf(b: Buffer, f: Fuzz): AsyncGenerator<Uint8Array> {
  let i = 0;
  while (i < b.length) {
    const n = 1 + f.int(700);
    yield b.subarray(i, i + n);
    i += n;
  }
}

/** A random JS string: lone surrogates, controls, astral characters, unknown scripts. */
function randomString(f: Fuzz, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    s += f.pick([
      () => String.fromCharCode(0xd800 + f.int(0x800)), () => String.fromCharCode(f.int(0x20)), () => String.fromCodePoint(0x1f600 + f.int(80)),
      () => String.fromCodePoint(0x4e00 + f.int(0x5000)), () => 'abc ABC.'[f.int(8)], () => '\n', () => '\r\n', () => '\u0000',
    ])();
  }
  return s;
}

describe('random bytes as corpora', () => {
  it('400 random byte strings: a clean error or a corpus whose vocabulary round-trips it', async () => {
    const f = new Fuzz(424242);
    const dir = tempDir();
    const outcome = { ok: 0, error: 0 };
    for (let k = 0; k < 400; k++) {
      const bytes = corpusBytes(f);
      const viaFile = k % 4 === 0;
      const path = join(dir, `c${k}.txt`);
      if (viaFile) writeFileSync(path, bytes);
      try {
        const corpus = await readCorpus(viaFile ? [path] : '-', { stdin: chunksOf(bytes, f) });
        const text = corpus.text();
        expect(corpus.chars).toBe([...text].length);
        // eos none: every character is in the vocabulary, so decode(encode(t)) is t itself.
        const vocab = Vocab.fromText(corpus.data, { eos: 'none' });
        const enc = vocab.encode(corpus.data, { start: false });
        expect(enc.unknown).toBe(0);
        expect(vocab.decode(enc.ids) === text, `case ${k}: round trip`).toBe(true);
        // eos line with a tiny vocabulary: rare characters become <UNK> and are counted.
        const small = Vocab.fromText(corpus.data, { eos: 'line', maxVocab: 5 });
        const e2 = small.encode(text);
        expect(e2.ids.length).toBeGreaterThan(0);
        for (const id of e2.ids) expect(id).toBeLessThan(small.size);
        outcome.ok++;
      } catch (e) {
        if (!(e instanceof RnnError)) throw new Error(`case ${k}: ${(e as Error).stack}`);
        expectOneLine(e, `case ${k}`);
        if (/UTF-8/.test(e.message)) expect(`${e.message} ${e.got ?? ''}`).toMatch(/offset|byte \d|\d+/);
        outcome.error++;
      }
    }
    expect(outcome.ok).toBeGreaterThan(50);
    expect(outcome.error).toBeGreaterThan(50);
  });

  it('random bytes piped to `rnn train -`: exit 0 or a clean one-line error', async () => {
    const f = new Fuzz(5150);
    const dir = tempDir();
    const jobs = Array.from({ length: 4 }, (_, k) => {
      const input = k === 0 ? '' : corpusBytes(f).toString('latin1');
      return async () => {
        const r = await spawnRnn(['train', '-', '--hidden', '4', '--layers', '1', '--steps', '2', '--seed', '1', '--threads', '1', '--quiet', '--val-fraction', '0', '--output', `t${k}.json`], { cwd: dir, input }).exited;
        if (r.code !== 0) expect(isCleanError(r), r.stderr).toBe(true);
      };
    });
    await pool(jobs, 2);
  });
});

describe('random text as prime and as lines to score', () => {
  let loaded: LoadedModel;
  let dir: string;
  beforeAll(async () => {
    const t = trainTiny();
    dir = t.dir;
    loaded = await loadModel(t.model);
    return () => loaded.close();
  });

  it('300 random primes: the prime is echoed, unknown characters counted, the text generated', async () => {
    const f = new Fuzz(31337);
    for (let k = 0; k < 300; k++) {
      const prime = randomString(f, f.pick([0, 1, 5, 50, 2000]));
      await expectRnnErrorOrOk(() => {
        const run = sampleStream(loaded.model, loaded.vocab, { prime, length: 8, seed: k });
        let text = '';
        for (const chunk of run) text += chunk;
        expect(text.startsWith(prime)).toBe(true);
        expect(run.stats.tokens).toBe(8);
        let unknown = 0;
        for (const ch of prime) if (ch !== '\n' && !loaded.vocab.has(ch.codePointAt(0)!)) unknown++;
        expect(run.unknownInPrime).toBe(unknown);
      }, `prime ${k}`);
    }
  });

  it('200 random lines scored: finite log-probabilities, unknowns counted', () => {
    const f = new Fuzz(2718);
    const lines = Array.from({ length: 200 }, () => randomString(f, 1 + f.int(60)).replace(/[\r\n]/g, ''));
    const results = score(loaded.model, loaded.vocab, lines);
    expect(results.length).toBe(200);
    for (const r of results) {
      expect(Number.isFinite(r.logProb)).toBe(true);
      expect(r.logProb).toBeLessThanOrEqual(0);
    }
  });

  it('odd primes through the binary: exit 0, the prime echoed, a warning for unknown characters', async () => {
    const primes = ['--', '\u{1F600}漢字テスト', 'a\tb\rc', 'x'.repeat(20_000), 'ROMEO:\n'];
    const jobs = primes.map((prime) => async () => {
      const r = await spawnRnn(['sample', '--model', 'm.json', '--length', '10', '--seed', '1', `--prime=${prime}`], { cwd: dir }).exited;
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.startsWith(prime)).toBe(true);
      const unknown = [...prime.replace(/\n/g, '')].some((ch) => !loaded.vocab.has(ch.codePointAt(0)!));
      if (unknown) expect(r.stderr).toMatch(/<UNK>/);
    });
    await pool(jobs, 2);
  });
});
