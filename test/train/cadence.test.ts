/**
 * How often a run evaluates and saves by default: evaluations EVAL_RATIO × the held-out text apart
 * in trained characters (at least MIN_EVAL_EVERY steps), a step count fixed by the data and the
 * options alone; explicit options win; a resume keeps the run's count.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { autoEvalEvery, MIN_EVAL_EVERY } from '../../src/options.ts';
import { rnn, tempDir } from '../cli/run.ts';

describe('the default evaluation cadence', () => {
  it('trains on 20× the held-out text between evaluations, rounded up to two digits, at least 100 steps', () => {
    expect(autoEvalEvery(55_770, 32, 64)).toBe(550); // tinyshakespeare's tail, the default block: 544.6 → 550
    expect(autoEvalEvery(55_770, 1, 25)).toBe(45_000); // min-char-rnn's 25 characters a step: 44,616 → 45,000
    expect(autoEvalEvery(4_000, 32, 64)).toBe(MIN_EVAL_EVERY); // 40 steps: one that improves also writes the model
    expect(autoEvalEvery(0, 32, 64)).toBe(MIN_EVAL_EVERY);
    expect(autoEvalEvery(1_000_000, 4, 10)).toBe(500_000);
    expect(autoEvalEvery(123_456, 2, 7)).toBe(180_000); // 176,366
  });

  it('a run evaluates at the multiples of its count, prints it, records it for a resume; --eval-every wins', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.txt'), 'To be, or not to be, that is the question.\n'.repeat(930).slice(0, 40_000));
    // the plain cell, still improving at step 1,210, so that the model file (read below) is rewritten
    const args = ['train', 'c.txt', '--hidden', '8', '--layers', '1', '--batch-size', '4', '--seq-length', '25', '--seed', '1', '--no-layer-norm'];
    const r = rnn([...args, '--steps', '900', '--threads', '1'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    type File = { training: { history: { step: number }[]; options: { evalEvery: number }; split: { valTokens: number } } };
    const file = JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8')) as File;
    const every = autoEvalEvery(file.training.split.valTokens, 4, 25); // about 20 · 2,000 / 100 = 400
    expect(every).toBeGreaterThan(300);
    expect(every).toBeLessThan(450);
    expect(r.stderr).toContain(`validation every ${every} steps`);
    expect(file.training.history.map((h) => h.step)).toEqual([every, 2 * every, 900]); // and the closing evaluation
    expect(file.training.options.evalEvery).toBe(every);
    const more = rnn(['train', '--resume', 'c.ckpt.json', '--steps', String(3 * every + 10), '--quiet'], { cwd: dir });
    expect(more.code, more.stderr).toBe(0);
    const resumed = JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8')) as File;
    // the closing evaluation at 900 was off the schedule: the resumed run continues from before it
    expect(resumed.training.history.map((h) => h.step)).toEqual([every, 2 * every, 3 * every, 3 * every + 10]);
    const given = rnn([...args, '--steps', '300', '--eval-every', '150', '-o', 'given.json', '--quiet'], { cwd: dir });
    expect(given.code, given.stderr).toBe(0);
    const g = JSON.parse(readFileSync(join(dir, 'given.json'), 'utf8')) as File;
    expect(g.training.history.map((h) => h.step)).toEqual([150, 300]);
  });
});

describe('the learning-rate plan (cosine)', () => {
  it('a step limit is the plan: announced, recorded, the rate at its floor by the last step; a resume to a larger limit plans again', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.txt'), 'To be, or not to be, that is the question.\n'.repeat(200));
    const args = ['train', 'c.txt', '--hidden', '8', '--layers', '1', '--batch-size', '4', '--seq-length', '16', '--seed', '1', '--max-time', 'none', '--lr-schedule', 'cosine'];
    const r = rnn([...args, '--steps', '300', '--eval-every', '100'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/learning rate: down to [\d.e-]+ by step 300 \(the step limit\)/);
    type File = { training: { history: { step: number; lr: number }[]; options: { lr: number; lrSchedule: string } } };
    const read = (): File => JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8')) as File;
    const f = read();
    expect(f.training.options.lrSchedule).toBe('cosine');
    const lr = f.training.options.lr;
    const rates = f.training.history.map((h) => h.lr / lr);
    expect(rates[0]).toBeGreaterThan(0.6); // step 99: a third of the way down from the top (past the 30-step warm-up)
    expect(rates[2]).toBeLessThan(0.011); // step 299: the floor
    const more = rnn(['train', '--resume', 'c.ckpt.json', '--steps', '600', '--quiet'], { cwd: dir });
    expect(more.code, more.stderr).toBe(0);
    const rates2 = read().training.history.map((h) => h.lr / lr);
    expect(rates2.at(-1)).toBeLessThan(0.011); // the new plan ends at 600
    expect(rates2[3]!).toBeGreaterThan(0.1); // step 399 of 600: well above the floor again
  });

  it('the step schedule, chosen by its options, halves every --lr-decay-every steps; with --lr-schedule cosine they are refused', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.txt'), 'To be, or not to be, that is the question.\n'.repeat(200));
    const r = rnn(['train', 'c.txt', '--hidden', '8', '--layers', '1', '--steps', '40', '--seed', '1', '--lr-decay', '0.5', '--lr-decay-every', '10', '--lr-decay-start', '0', '--eval-every', '20', '--quiet'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const f = JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8')) as { training: { history: { lr: number }[]; options: { lr: number; lrSchedule: string } } };
    expect(f.training.options.lrSchedule).toBe('step');
    expect(f.training.history[0]!.lr / f.training.options.lr).toBeCloseTo(0.5, 12); // step 19: one halving
    const clash = rnn(['train', 'c.txt', '--lr-schedule', 'cosine', '--lr-decay', '0.5', '--steps', '1', '-o', 'x.json'], { cwd: dir });
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/--lr-decay belongs to the step schedule[\s\S]*hint: drop it, or give --lr-schedule step/);
  });
});
