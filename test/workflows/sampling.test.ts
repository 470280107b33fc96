/**
 * Issue 13, items 3 and 5–9: fine-tuning, novelty reports, several temperatures, no <UNK> in
 * samples, beam search from the command line, and a gap character of one's choosing.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fineTuneVocab, transferWeights, type Base } from '../../src/api/init-from.ts';
import { referenceKernels } from '../../src/engine/kernels/index.ts';
import { createModel } from '../../src/engine/create.ts';
import { parseGaps } from '../../src/fill/gaps.ts';
import { loadModelFile, type ModelFile } from '../../src/model-io/index.ts';
import { corpusIndex, lineNovelty, textNovelty } from '../../src/sample/novelty.ts';
import { Vocab } from '../../src/tokenizer/vocab.ts';
import { Rng } from '../../src/util/rng.ts';
import { expectCleanError, rnn, smallCorpus, tempDir } from '../reliability/helpers.ts';

// the dropout and schedule these tests were calibrated with (the defaults follow the budget: dropout 0.5
// for these tiny corpora, and a rate that anneals over the 200 steps, which recites less of the list)
const TINY = ['--hidden', '12', '--layers', '1', '--dropout', '0.2', '--lr-schedule', 'step', '--batch-size', '4', '--seq-length', '16', '--threads', '1', '--seed', '1', '--quiet'];

let dir: string;
beforeAll(() => {
  dir = tempDir();
  smallCorpus(dir, 12_000, 'c.txt');
  writeFileSync(join(dir, 'names.txt'), 'anna\nbob\ncarla\ndora\nemil\n'.repeat(100));
  for (const corpus of ['c.txt', 'names.txt']) {
    const r = rnn(['train', corpus, ...TINY, '--steps', '200'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
  }
});

describe('#13.3 fine-tuning with --init-from', () => {
  it('starts from the base, records its lineage, and counts the characters it lacks', () => {
    writeFileSync(join(dir, 'new.txt'), 'noë and émile met anna.\n'.repeat(60));
    const r = rnn(['train', 'new.txt', '--init-from', 'c.json', '--steps', '5', '--threads', '1', '--seed', '2'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: 120 characters of new\.txt \(2 distinct: "é", "ë"\) are not in c\.json's vocabulary and become <UNK>; --extend-vocab/);
    const t = loadModelFile(join(dir, 'new.json'));
    const base = loadModelFile(join(dir, 'c.json'));
    expect(t.config).toEqual(base.config);
    expect(t.vocab.chars).toEqual(base.vocab.chars);
    expect(t.training.lineage).toEqual([{
      sha256: createHash('sha256').update(readFileSync(join(dir, 'c.json'))).digest('hex'), name: 'c.json',
      corpus: { name: 'c.txt', sha256: base.training.corpus.sha256 }, steps: base.training.steps, // the base file's own (its best) step
    }]);
  });

  it('--extend-vocab gives the new characters ids of their own', () => {
    const r = rnn(['train', 'new.txt', '--init-from', 'c.json', '--extend-vocab', '--steps', '5', '--threads', '1', '--seed', '2', '-o', 'ext.json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/--extend-vocab: 2 new characters \("é", "ë"\) get ids of their own/);
    expect(loadModelFile(join(dir, 'ext.json')).vocab.size).toBe(loadModelFile(join(dir, 'c.json')).vocab.size + 2);
  });

  it('moves the base weights to the new ids and leaves the new rows as a fresh model has them', () => {
    const file: ModelFile = loadModelFile(join(dir, 'c.json'));
    const base: Base = { path: 'c.json', file, sha256: '0'.repeat(64) };
    const data = new TextEncoder().encode('Zoë, Émile\n');
    const { vocab } = fineTuneVocab(base, data, true, 'x');
    const k = referenceKernels('f32');
    const config = { ...file.config, vocabSize: vocab.size };
    const fresh = createModel(config, k, new Rng(9));
    const model = createModel(config, k, new Rng(9));
    transferWeights(base, vocab, model.params);
    const old = file.vocab;
    const head = (m: typeof model) => m.params.find((p) => p.name === 'out.weight')!;
    const w = file.params['out.weight']!, H = file.config.hidden;
    for (const ch of ['a', 'e', ' ', 'T']) {
      const cp = ch.codePointAt(0)!;
      const row = (data: ArrayLike<number>, id: number) => Array.from({ length: H }, (_, j) => data[id * H + j]);
      expect(row(head(model).data, vocab.idOf(cp))).toEqual(row(w.data, old.idOf(cp)));
    }
    for (const ch of ['ë', 'É']) {
      const id = vocab.idOf(ch.codePointAt(0)!);
      expect(Array.from(head(model).data.subarray(id * H, (id + 1) * H))).toEqual(Array.from(head(fresh).data.subarray(id * H, (id + 1) * H)));
    }
  });

  it('refuses shape options: the shape is the base\'s', () => {
    const r = rnn(['train', 'new.txt', '--init-from', 'c.json', '--hidden', '64', '-o', 'no.json'], { cwd: dir });
    expectCleanError(r);
    expect(r.stderr).toMatch(/--init-from takes the model's shape and vocabulary from the base.*--hidden/);
  });
});

describe('#13.5 novelty', () => {
  it('line samples: counted as training lines, validation lines or new, adding up to --count', () => {
    const r = rnn(['sample', 'names.json', '--count', '50', '--novelty', '--seed', '3', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const n = JSON.parse(r.stdout).novelty;
    expect(n.samples).toBe(50);
    expect(n.inTrain + n.inValidation + n.new).toBe(50);
    expect(n.inTrain).toBeGreaterThan(10); // a list seen 200 steps long is mostly recited
    const text = rnn(['sample', 'names.json', '--count', '50', '--novelty', '--seed', '3'], { cwd: dir });
    expect(text.stderr).toMatch(new RegExp(`novelty: of 50 samples, ${n.inTrain} \\(\\d+\\.\\d%\\) are training lines`));
  });

  it('free text: the longest copied substring and the share in copied runs, from a suffix array', () => {
    const r = rnn(['sample', 'c.json', '-n', '400', '--novelty', '--seed', '3'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/novelty: the longest substring copied from the corpus is \d+ characters \(".*"\); \d+\.\d% of the 400 sampled characters lie in copied runs of 20 or more/);
  });

  it('counts exactly on a text it was built from', () => {
    const vocab = Vocab.fromText('the cat sat on the mat\n', { eos: 'line' });
    const index = corpusIndex(vocab.encode('the cat sat on the mat\n').ids, vocab.size);
    const n = textNovelty(index, vocab, 'xx the cat sat on the mat', 10);
    expect(n.longest).toBe(22);
    expect(n.longestText).toBe('the cat sat on the mat');
    expect(n.copied).toBe(22);
    expect(n.chars).toBe(25);
    expect(lineNovelty(['anna', 'bob', 'zed', 'bob'], new Set(['anna', 'bob']), new Set(['zed']))).toEqual({ samples: 4, inTrain: 3, inValidation: 1, new: 0 });
  });
});

describe('#13.6 several temperatures in one call', () => {
  it('one labelled block per temperature, the same seed; one JSON object each with every setting', () => {
    const r = rnn(['sample', 'c.json', '-t', '0.5,1.0,1.5', '-n', '40', '--seed', '4'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/^=== temperature [\d.]+ ===$/gm)).toEqual(['=== temperature 0.5 ===', '=== temperature 1 ===', '=== temperature 1.5 ===']);
    const one = rnn(['sample', 'c.json', '-t', '1.5', '-n', '40', '--seed', '4'], { cwd: dir }).stdout;
    expect(r.stdout.endsWith(one)).toBe(true);
    const json = rnn(['sample', 'c.json', '-t', '0.5,1.5', '-n', '40', '--seed', '4', '--top-k', '5', '--prime', 'The', '--json'], { cwd: dir }).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(json.map((j) => j.temperature)).toEqual([0.5, 1.5]);
    for (const j of json) expect(j).toMatchObject({ model: 'c.json', topK: 5, topP: null, prime: 'The', seed: 4, argmax: false });
  });
});

describe('#13.7 no <UNK> in samples unless asked', () => {
  it('a model that predicts <UNK> often never prints it by default; --allow-unk does', () => {
    const r = rnn(['train', 'c.txt', ...TINY, '--steps', '60', '--max-vocab', '6', '-o', 'unk.json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(rnn(['sample', 'unk.json', '-n', '300', '--seed', '1'], { cwd: dir }).stdout).not.toContain('\uFFFD');
    expect(rnn(['sample', 'unk.json', '-n', '300', '--seed', '1', '--allow-unk'], { cwd: dir }).stdout).toContain('\uFFFD');
    expect(rnn(['sample', 'unk.json', '-n', '50', '--argmax'], { cwd: dir }).stdout).not.toContain('\uFFFD');
  });
});

describe('#13.8 beam search from the command line', () => {
  it('prints the most probable continuation of the prime and its log-probability; --count gives the best K', () => {
    const r = rnn(['sample', 'c.json', '--beam', '4', '-n', '30', '--prime', 'The '], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith('The ')).toBe(true);
    expect(r.stderr).toMatch(/ln p = -\d+\.\d{3} \(\d\.\d{4} nats\/char\)/);
    const k = JSON.parse(`[${rnn(['sample', 'c.json', '--beam', '4', '-n', '30', '--prime', 'The ', '--count', '3', '--json'], { cwd: dir }).stdout.trim().split('\n').join(',')}]`);
    expect(k.map((x: { rank: number }) => x.rank)).toEqual([1, 2, 3]);
    expect(k[0].text).toBe(r.stdout.replace(/\n$/, ''));
    expect(k[0].logProb).toBeGreaterThanOrEqual(k[1].logProb);
  });

  it('refuses the options of a random draw', () => {
    const r = rnn(['sample', 'c.json', '--beam', '3', '-t', '0.7'], { cwd: dir });
    expectCleanError(r);
    expect(r.stderr).toMatch(/--beam searches for the most probable text: it draws nothing/);
  });
});

describe('#13.9 fill on text that contains _', () => {
  const vocab = Vocab.fromText('snake_case text?\n', { eos: 'line' });

  it('\\_ is a literal underscore; --gap chooses another gap character', () => {
    const g = parseGaps('snake\\_c__e', vocab);
    expect(g.gaps.map((x) => x.length)).toEqual([2]);
    expect(g.pieces).toEqual(['snake_c', 'e']);
    const q = parseGaps('snake_c??e', vocab, '?');
    expect(q.gaps.map((x) => [x.start, x.length])).toEqual([[7, 2]]);
    expect(q.pieces).toEqual(['snake_c', 'e']);
    expect(parseGaps('a\\?b?', vocab, '?').pieces).toEqual(['a?b', '']);
  });

  it('through the command line, with a bad --gap refused', () => {
    const r = rnn(['fill', '--model', 'c.json', '--gap', '#', 'first_name and la#t_name'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^first_name and la.t_name\n$/);
    const bad = rnn(['fill', '--model', 'c.json', '--gap', 'ab', 'x'], { cwd: dir });
    expectCleanError(bad);
    expect(bad.stderr).toMatch(/invalid value for --gap/);
  });
});
