/**
 * Issue 16, items 2 and 3, as a user runs them: the recipe's choice is printed and recorded, what
 * is given wins, a small corpus stops at the recipe's epochs, and a run whose validation has passed
 * its best stops after --patience evaluations clearly above it (5 by default).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createModel } from '../../src/engine/create.ts';
import { referenceKernels } from '../../src/engine/kernels/index.ts';
import { AUTO_EPOCHS, PATIENCE_MARGIN, TIME_BATCH_LR_SHARE, TIME_BATCH_SIZE } from '../../src/options.ts';
import { defaultLr } from '../../src/train/optimizers.ts';
import { defaultTrainOptions } from '../../src/train/options.ts';
import { dropoutFor, LN_PASSES, PROSE_BITS } from '../../src/train/recipe.ts';
import { Trainer, type TrainSink } from '../../src/train/trainer.ts';
import { Rng } from '../../src/util/rng.ts';
import { rnn, smallCorpus, tempDir } from '../reliability/helpers.ts';

interface Recorded { config: { hidden: number; dropout: number }; training: { options: { epochs: number | null; lrSchedule: string; patience: number | null; batchSize: number; lr: number } } }
const recorded = (dir: string, file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Recorded;

describe('#16 the default recipe, as a user runs it', () => {
  it('chooses the width and dropout, says so, and records them; a step limit is the budget (no epoch limit)', () => {
    const dir = tempDir();
    smallCorpus(dir, 20_000, 'c.txt');
    const r = rnn(['train', 'c.txt', '--steps', '20', '--seed', '1', '--threads', '1'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const m = /recipe: 2×(\d+), dropout ([\d.]+) for ([\d,]+) training characters and 20 steps, ~([\d.]+) epochs \(--hidden, --dropout to choose\)/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const f = recorded(dir, 'c.json');
    expect([f.config.hidden, f.config.dropout]).toEqual([Number(m![1]), Number(m![2])]);
    expect(f.training.options).toMatchObject({ epochs: null, lrSchedule: 'cosine', patience: 5 });
    expect(r.stderr).not.toMatch(/predictable/); // prose: the dropout the passes give
  });

  it('a text more predictable than prose gets less dropout, and the line says why', () => {
    const dir = tempDir();
    const declarations = Array.from({ length: 600 }, (_, i) => `interface Point${i % 9} { readonly x: number; readonly y: number }\n`).join('');
    writeFileSync(join(dir, 'd.txt'), declarations);
    const args = ['--hidden', '16', '--batch-size', '8', '--seq-length', '16', '--steps', '2000', '--seed', '1', '--threads', '1'];
    const r = rnn(['train', 'd.txt', ...args], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const m = /recipe: dropout ([\d.]+) \(less for a predictable text: ([\d.]+) bits\/char deflated\) for ([\d,]+) training characters and 2,000 steps, ~([\d.]+) epochs \(--dropout to choose\)/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const [dropout, bits, epochs] = [Number(m![1]), Number(m![2]), Number(m![4])];
    expect(bits).toBeLessThan(PROSE_BITS / 4);
    expect(dropout).toBe(recorded(dir, 'd.json').config.dropout);
    expect(dropout).toBeLessThan(dropoutFor(epochs, PROSE_BITS)); // what prose would get for the same passes
  });

  it('what is given wins, and with everything given there is no recipe line', () => {
    const dir = tempDir();
    smallCorpus(dir, 20_000, 'c.txt');
    const r = rnn(['train', 'c.txt', '--hidden', '20', '--dropout', '0.1', '--steps', '5', '--seed', '1', '--threads', '1'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/recipe:/);
    expect(recorded(dir, 'c.json').config).toMatchObject({ hidden: 20, dropout: 0.1 });
  });

  for (const [cell, flags, epochs] of [['the plain lstm', ['--no-layer-norm'], AUTO_EPOCHS], ['the layer-normalised lstm', [], AUTO_EPOCHS / LN_PASSES]] as const) {
    it(`a small corpus under a time limit stops after ${epochs} epochs (${cell}) and says why; the speed it planned from is printed`, () => {
      const dir = tempDir();
      smallCorpus(dir, 3_000, 'c.txt');
      const r = rnn(['train', 'c.txt', '--max-time', '10m', '--seed', '1', '--threads', '1', ...flags], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`recipe: 2×\\d+, dropout 0\\.5 for [\\d,]+ training characters and 10m00s at [\\d,]+ chars/s, ~${epochs} epochs; stops after ${epochs} epochs`));
      expect(r.stderr).toMatch(new RegExp(`stopped: reached ${epochs} epochs, the limit of a run without --epochs or --steps`));
      expect(recorded(dir, 'c.json').training.options.epochs).toBe(epochs);
      expect(r.stderr).toMatch(/ B=32 T=64/); // the epoch limit ends it: the default batch
    });
  }

  it(`a run its time limit ends takes ${TIME_BATCH_SIZE} streams at ${TIME_BATCH_LR_SHARE}× the rate, says so, and the closing line repeats them; --batch-size wins`, () => {
    const dir = tempDir();
    smallCorpus(dir, 200_000, 'c.txt'); // 40 epochs in 3 s would take 2.7M chars/s
    const r = rnn(['train', 'c.txt', '--max-time', '3s', '--seed', '1', '--threads', '1'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(` B=${TIME_BATCH_SIZE} T=64`));
    expect(r.stderr).toMatch(new RegExp(`recipe: 2×\\d+, dropout [\\d.]+, ${TIME_BATCH_SIZE} streams at ${TIME_BATCH_LR_SHARE}× the rate \\(more steps where time is short\\) for .* \\(--hidden, --dropout, --batch-size, --lr to choose\\)`));
    const f = recorded(dir, 'c.json');
    expect(f.training.options.batchSize).toBe(TIME_BATCH_SIZE);
    expect(f.training.options.lr).toBeCloseTo(TIME_BATCH_LR_SHARE * defaultLr('adam', { ...f.config, cell: 'lstm', activation: 'tanh' }), 6);
    expect(r.stderr).toContain(`--batch-size ${TIME_BATCH_SIZE} --lr ${f.training.options.lr} --steps`); // the rate the recipe changed, exactly
    const given = rnn(['train', 'c.txt', '-o', 'g.json', '--batch-size', '32', '--max-time', '3s', '--seed', '1', '--threads', '1'], { cwd: dir });
    expect(given.code, given.stderr).toBe(0);
    expect(given.stderr).toMatch(/ B=32 T=64/);
    expect(given.stderr).not.toMatch(/streams|--lr/);
  });

  it('--epochs none lifts the epoch limit', () => {
    const dir = tempDir();
    smallCorpus(dir, 3_000, 'c.txt');
    const r = rnn(['train', 'c.txt', '--epochs', 'none', '--steps', '3', '--seed', '1', '--threads', '1'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(recorded(dir, 'c.json').training.options.epochs).toBeNull();
  });
});

describe('the closing line reports what the model file holds', () => {
  it('a closing evaluation off the schedule that improves is the best printed, in the text and the JSON', () => {
    const dir = tempDir();
    smallCorpus(dir, 20_000, 'c.txt');
    const r = rnn(['train', 'c.txt', '--hidden', '16', '--layers', '1', '--dropout', '0', '--steps', '23', '--eval-every', '10', '--seed', '1', '--threads', '1', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const done = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { bestValLoss: number; bestStep: number };
    const f = JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8')) as { training: { bestValLoss: number; steps: number } };
    expect(done.bestStep).toBe(23); // the closing evaluation, after the ones at 10 and 20
    expect(done.bestValLoss).toBe(f.training.bestValLoss);
    expect(r.stderr).toContain(`best validation loss ${done.bestValLoss.toFixed(4)} nats/char at step 23`);
  });
});

describe('#16 patience by default', () => {
  const run = async (validations: (i: number) => number) => {
    const kernels = referenceKernels('f32');
    const opts = { ...defaultTrainOptions({ model: { hidden: 4, layers: 1 }, batchSize: 2, seqLength: 4, steps: 30 }), evalEvery: 1 };
    expect(opts.patience).toBe(5);
    const model = createModel({ ...opts.model, vocabSize: 5 }, kernels, new Rng(1));
    let i = 0;
    const sink: TrainSink = {
      saveBest: async () => {}, saveCheckpoint: async () => {}, saveKept: async () => '', removeKept: () => {},
      validate: () => validations(i++),
    };
    const ids = Int32Array.from({ length: 200 }, (_, k) => k % 5);
    return new Trainer(model, ids, opts, sink).train();
  };

  it(`a run clearly past its best (more than ${PATIENCE_MARGIN * 100}% above it) stops after 5 such evaluations in a row`, async () => {
    const result = await run((i) => 1 + i); // worse every time
    expect(result.reason).toBe('patience');
    expect(result.run.step).toBe(6); // the first evaluation is the best; five more above it
    expect(result.run.bestStep).toBe(1);
  });

  it('a plateau or a bump within the margin does not count, and resets the count', async () => {
    // the best at step 1; then within 1% of it for ever, but for runs of 4 clear rises
    const result = await run((i) => (i === 0 ? 1 : i % 5 === 0 ? 1.005 : 1.5));
    expect(result.reason).toBe('steps');
    expect(result.run.step).toBe(30);
    expect(result.run.bestStep).toBe(1);
  });
});
