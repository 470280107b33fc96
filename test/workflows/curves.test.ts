/**
 * Issue 13, items 1, 2 and 4: the learning curve as a table, a chart and CSV; char-rnn's kept
 * checkpoints; a random validation split for lists.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lossChart } from '../../src/cli/history.ts';
import { loadModelFile, type HistoryEntry } from '../../src/model-io/index.ts';
import { splitRandomly } from '../../src/tokenizer/corpus.ts';
import { Vocab } from '../../src/tokenizer/vocab.ts';
import { expectCleanError, rnn, smallCorpus, tempDir } from '../reliability/helpers.ts';

const TINY = ['--hidden', '12', '--layers', '1', '--batch-size', '4', '--seq-length', '16', '--threads', '1', '--seed', '1'];

describe('#13.1 the learning curve', () => {
  let dir: string;
  let train: { code: number | null; stderr: string };
  beforeAll(() => {
    dir = tempDir();
    smallCorpus(dir, 12_000, 'c.txt');
    // a constant rate (the step schedule decays from step 1000) and every evaluation (no patience)
    train = rnn(['train', 'c.txt', ...TINY, '--steps', '150', '--eval-every', '5', '--lr-schedule', 'step', '--patience', 'none'], { cwd: dir });
    expect(train.code, train.stderr).toBe(0);
  });

  it('the history records lr, gradient norm, clip rate, chars/s and time for every evaluation', () => {
    const h = loadModelFile(join(dir, 'c.json')).training.history;
    expect(h).toHaveLength(30);
    for (const e of h) {
      expect(e.lr).toBeCloseTo(0.01, 10);
      expect(e.gradNorm).toBeGreaterThan(0);
      expect(e.clipRate).toBeGreaterThanOrEqual(0);
      expect(e.charsPerSecond).toBeGreaterThan(0);
      expect(e.seconds).toBeGreaterThan(0);
    }
    expect(h.map((e) => e.seconds!)).toEqual([...h.map((e) => e.seconds!)].sort((a, b) => a - b));
  });

  it('rnn train prints a table row as each evaluation happens, not only a spinner', () => {
    const lines = train.stderr.split('\n');
    expect(lines.filter((l) => /^\s+step\s+epoch\s+train\s+val\s+lr\s+\|g\|\s+clip\s+chars\/s\s+time/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /^\s+\d+\s+\d+\s+\d\.\d{4}\s+\d\.\d{4}\s+0\.0100\s/.test(l))).toHaveLength(30);
  });

  it('rnn info shows the table thinned to a screen (first, best and last kept), with a chart; --all shows every row', () => {
    const r = rnn(['info', 'c.json'], { cwd: dir });
    const rows = r.stdout.split('\n').filter((l) => /^\s+\d+\s+\d+\s+\d\.\d{4}\s+\d\.\d{4}/.test(l));
    expect(rows).toHaveLength(20);
    expect(rows[0]).toMatch(/^\s+5\s/);
    expect(rows.at(-1)).toMatch(/^\s+150\s/);
    expect(rows.filter((l) => l.endsWith(' *'))).toHaveLength(1);
    expect(r.stdout).toMatch(/── train   ══ validation   nats\/char, steps 5–150/);
    expect(r.stdout).toMatch(/\(20 of 30 rows; --all for every row/);
    const all = rnn(['info', 'c.json', '--all'], { cwd: dir }).stdout.split('\n').filter((l) => /^\s+\d+\s+\d+\s+\d\.\d{4}\s+\d\.\d{4}/.test(l));
    expect(all).toHaveLength(30);
  });

  it('--csv writes the history for spreadsheets', () => {
    const csv = rnn(['info', 'c.json', '--csv'], { cwd: dir }).stdout.trim().split('\n');
    expect(csv[0]).toBe('step,epoch,train_loss,val_loss,lr,grad_norm,clip_rate,chars_per_s,seconds');
    expect(csv).toHaveLength(31);
    const h = loadModelFile(join(dir, 'c.json')).training.history;
    expect(Number(csv[30]!.split(',')[3])).toBeCloseTo(h[29]!.valLoss!, 5);
  });

  it('the chart draws both lines against steps: the validation line double in plain text', () => {
    const h: HistoryEntry[] = [0, 1, 2, 3].map((k) => ({
      step: 100 * (k + 1), epoch: 0, trainLoss: 3 - k * 0.5, valLoss: 3.2 - k * 0.4, lr: null, gradNorm: null, clipRate: null, charsPerSecond: null, seconds: null,
    }));
    const chart = lossChart(h, { width: 30, height: 6, color: false });
    expect(chart).toHaveLength(8); // height + 1 rows, and the legend
    expect(chart[0]).toMatch(/^\s+3\.200 [┤┼]/);
    expect(chart[6]).toMatch(/^\s+1\.500 [┤┼]/);
    expect(chart.join('\n')).toMatch(/═/);
    expect(chart.join('\n')).toMatch(/─/);
    expect(chart.join('\n')).not.toMatch(/\x1b\[/);
  });
});

describe('#13.2 --keep N: the N best models by validation loss, never more on disk', () => {
  it('keeps files named with their step and loss, the N best, and resumes keeping them', () => {
    const dir = tempDir();
    smallCorpus(dir, 12_000, 'c.txt');
    const keptFiles = () => readdirSync(dir).filter((n) => /^c_step\d+_\d\.\d{4}\.json$/.test(n)).sort();
    const r = rnn(['train', 'c.txt', ...TINY, '--steps', '60', '--eval-every', '5', '--keep', '3', '--patience', 'none', '--quiet'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const expected = (steps: number) => loadModelFile(join(dir, 'c.ckpt.json')).training.history.filter((e) => e.step <= steps)
      .sort((a, b) => a.valLoss! - b.valLoss! || a.step - b.step).slice(0, 3).map((e) => `c_step${e.step}_${e.valLoss!.toFixed(4)}.json`).sort();
    expect(keptFiles()).toEqual(expected(60));
    for (const f of keptFiles()) expect(loadModelFile(join(dir, f)).training.bestValLoss!.toFixed(4)).toBe(/_(\d\.\d{4})\.json$/.exec(f)![1]);
    const again = rnn(['train', '--resume', 'c.ckpt.json', '--steps', '120', '--quiet'], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(keptFiles()).toEqual(expected(120));
    const listing = rnn(['info', '.'], { cwd: dir }).stdout;
    for (const f of keptFiles()) expect(listing).toContain(f);
  });
});

describe('#13.4 --val-split random, for lists', () => {
  const names = Array.from({ length: 400 }, (_, i) => `${String.fromCharCode(97 + Math.floor(i / 26))}${String.fromCharCode(97 + (i % 26))}an`).sort(); // distinct, sorted
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    writeFileSync(join(dir, 'names.txt'), `${names.join('\n')}\n`);
  });

  it('a sorted list split at its tail gets a warning that says why and what to use', () => {
    const r = rnn(['train', 'names.txt', ...TINY, '--steps', '2'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: the corpus's lines are sorted \(\d+% of neighbouring lines in increasing order\).*--val-split random/);
  });

  it('random holds out whole lines chosen by the seed, and eval perplexity finds the same split', () => {
    const r = rnn(['train', 'names.txt', ...TINY, '--steps', '10', '--val-split', 'random', '-o', 'r.json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/sorted/);
    const t = loadModelFile(join(dir, 'r.json')).training;
    expect(t.split.mode).toBe('random');
    expect(t.split.valTokens).toBe(20 * 5); // 5% of 400 lines, 4 characters + <EOS> each
    const e = JSON.parse(rnn(['eval', 'perplexity', '--model', 'r.json', '--json'], { cwd: dir }).stdout);
    expect(e.tokens).toBe(100);
    expect(e.nats).toBeCloseTo(t.history.at(-1)!.valLoss!, 5);
  });

  it('the chosen lines depend on the seed, cover every line once, and keep their order', () => {
    const vocab = Vocab.fromText(names.join('\n'), { eos: 'line' });
    const { ids } = vocab.encode(`${names.join('\n')}\n`);
    const lines = (x: ArrayLike<number>) => vocab.decode(x).split('\n').filter(Boolean);
    const a = splitRandomly(ids, 0.1, 1), b = splitRandomly(ids, 0.1, 2);
    expect(lines(a.val)).toHaveLength(40);
    expect(lines(a.val)).not.toEqual(lines(b.val));
    expect([...lines(a.train), ...lines(a.val)].sort()).toEqual([...names].sort());
    expect(lines(a.val)).toEqual([...lines(a.val)].sort());
  });

  it('--eos none has no lines to choose: refused', () => {
    const r = rnn(['train', 'names.txt', '--val-split', 'random', '--eos', 'none', '--steps', '1'], { cwd: dir });
    expectCleanError(r);
    expect(r.stderr).toMatch(/--val-split random holds out whole lines or paragraphs/);
  });
});
