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
  it('trains on 8× the held-out text between evaluations, rounded up to two digits, at least 100 steps', () => {
    expect(autoEvalEvery(55_770, 32, 64)).toBe(220); // tinyshakespeare's tail, the default block: 217.9 → 220
    expect(autoEvalEvery(55_770, 1, 25)).toBe(18_000); // min-char-rnn's 25 characters a step: 17,846 → 18,000
    expect(autoEvalEvery(11_000, 32, 64)).toBe(MIN_EVAL_EVERY); // 43 steps: one that improves also writes the model
    expect(autoEvalEvery(0, 32, 64)).toBe(MIN_EVAL_EVERY);
    expect(autoEvalEvery(1_000_000, 4, 10)).toBe(200_000);
    expect(autoEvalEvery(123_456, 2, 7)).toBe(71_000); // 70,547
  });

  it('a run evaluates at the multiples of its count, prints it, records it for a resume; --eval-every wins', () => {
    const dir = tempDir();
    // 40,000 characters: a held-out tail of 2,000; with B=2, T=10: 8·2,000/20 = 800 steps
    writeFileSync(join(dir, 'c.txt'), 'To be, or not to be, that is the question.\n'.repeat(930).slice(0, 40_000));
    const args = ['train', 'c.txt', '--hidden', '8', '--layers', '1', '--batch-size', '2', '--seq-length', '10', '--seed', '1'];
    const r = rnn([...args, '--steps', '1700', '--threads', '1'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/validation every 800 steps/);
    const file = JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8')) as { training: { history: { step: number }[]; options: { evalEvery: number } } };
    expect(file.training.history.map((h) => h.step)).toEqual([800, 1600, 1700]); // and the closing evaluation
    expect(file.training.options.evalEvery).toBe(800);
    const more = rnn(['train', '--resume', 'c.ckpt.json', '--steps', '2500', '--quiet'], { cwd: dir });
    expect(more.code, more.stderr).toBe(0);
    const resumed = JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8')) as typeof file;
    expect(resumed.training.history.map((h) => h.step)).toEqual([800, 1600, 2400, 2500]); // the closing evaluation at 1700 was off the schedule
    const given = rnn([...args, '--steps', '300', '--eval-every', '150', '-o', 'given.json', '--quiet'], { cwd: dir });
    expect(given.code, given.stderr).toBe(0);
    const g = JSON.parse(readFileSync(join(dir, 'given.json'), 'utf8')) as typeof file;
    expect(g.training.history.map((h) => h.step)).toEqual([150, 300]);
  });
});
