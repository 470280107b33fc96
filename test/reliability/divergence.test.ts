/**
 * Attack 4: absurd learning rates. Training must stop cleanly (exit 1) with a message about the
 * loss diverging and a hint, and the output must still load with finite weights.
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModelFile } from '../../src/model-io/index.ts';
import { rnn, tempDir, trainTiny } from './helpers.ts';

const BASE = ['--hidden', '8', '--layers', '1', '--steps', '40', '--eval-every', '5', '--seed', '1', '--threads', '1', '--clip', '0', '--output', 'm.json'];

function expectLoadableFinite(path: string): void {
  const file = loadModelFile(path); // validation refuses non-finite values
  for (const t of Object.values(file.params)) for (const x of t.data) expect(Number.isFinite(x)).toBe(true);
}

describe('divergence', () => {
  let corpus: string;
  let previous: string;
  beforeAll(() => {
    const t = trainTiny();
    corpus = t.corpus;
    previous = t.model;
  });

  for (const optimizer of ['sgd', 'adam']) {
    it(`${optimizer} --lr 1e38 (the loss overflows): exit 1, "diverged", a hint; the model file there still loads`, () => {
      const dir = tempDir();
      copyFileSync(previous, join(dir, 'm.json')); // a model from an earlier run
      const r = rnn(['train', corpus, ...BASE, '--optimizer', optimizer, '--lr', '1e38', '--force'], { cwd: dir });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/diverged|not finite/);
      expect(r.stderr).toMatch(/hint: .*--lr/);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expectLoadableFinite(join(dir, 'm.json'));
      // The trainer keeps the last checkpoint as it was (none yet here); whatever is there loads.
      if (existsSync(join(dir, 'm.ckpt.json'))) expectLoadableFinite(join(dir, 'm.ckpt.json'));
    });
  }

  it('with --quiet, the divergence is still reported', () => {
    const dir = tempDir();
    const r = rnn(['train', corpus, ...BASE, '--optimizer', 'sgd', '--lr', '1e38', '--quiet'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/diverged|not finite/);
  });

  // A failure's hint is not progress output: it survives --quiet.
  it('with --quiet, the divergence hint is still printed', () => {
    const dir = tempDir();
    const r = rnn(['train', corpus, ...BASE, '--optimizer', 'sgd', '--lr', '1e38', '--quiet'], { cwd: dir });
    expect(r.stderr).toMatch(/hint: .*--lr/);
  });

  it('a run that diverges after its first evaluation keeps that evaluated model', () => {
    const dir = tempDir();
    // adam --lr 3 without clipping: sane for a step or two, then the guard trips (or it trains on).
    const r = rnn(['train', corpus, ...BASE, '--optimizer', 'adam', '--lr', '3', '--eval-every', '1'], { cwd: dir });
    expect([0, 1]).toContain(r.code);
    const file = loadModelFile(join(dir, 'm.json'));
    expect(file.training.bestValLoss).not.toBeNull();
    expect(file.training.bestValLoss!).toBeLessThan(10 * Math.log(file.config.vocabSize) + 10);
  });

  // With --lr 1e6 every optimiser keeps the loss finite but enormous (5e6 nats/char with adam,
  // 2e6 with sgd: the gates saturate); the trainer's guard (loss above 10·ln V + 10) must catch it.
  for (const optimizer of ['adam', 'sgd', 'adagrad', 'rmsprop']) it(`${optimizer} --lr 1e6 --clip 0 (loss finite but absurd): stops with exit 1 and a hint, output loads`, () => {
    const dir = tempDir();
    const r = rnn(['train', corpus, ...BASE, '--lr', '1e6', '--optimizer', optimizer], { cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/diverg/);
    expect(r.stderr).toMatch(/hint: .*--lr/);
    expectLoadableFinite(join(dir, 'm.json'));
    // What was kept is a sane model: its validation loss is near the uniform guess, not millions.
    const best = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')).training.bestValLoss;
    expect(best === null || best < 20).toBe(true);
  });
});
