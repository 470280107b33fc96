import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, modelWithoutTimes, rnn, tempDir } from './run.ts';

// A small bidirectional model, with dropout and a carried state so that an inexact resume would show.
// the step schedule, whose rate does not depend on the budget: 20 steps resumed to 50 are 50
const ARGS = ['--bidirectional', '--cell', 'gru', '--hidden', '16', '--layers', '2', '--dropout', '0.1', '--batch-size', '4', '--seq-length', '12',
  '--eval-every', '10', '--checkpoint-every', '10', '--seed', '3', '--threads', '1', '--output', 'bi.json', '--lr-schedule', 'step', '--quiet'];

describe('rnn train --bidirectional, rnn fill, eval and sample', () => {
  let dir: string;
  let corpus: string;

  beforeAll(() => {
    dir = tempDir();
    corpus = join(dir, 'corpus.txt');
    writeFileSync(corpus, readFileSync(resolve(__dirname, '../../corpora/tinyshakespeare.txt'), 'utf8').slice(0, 20_000));
    const r = rnn(['train', corpus, ...ARGS, '--steps', '50'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
  });

  it('the model file records a bidirectional model with reverse-direction weights', () => {
    const f = JSON.parse(readFileSync(join(dir, 'bi.json'), 'utf8'));
    expect(f.config.bidirectional).toBe(true);
    expect(JSON.stringify(f.params)).toContain('rnn.weight_hh_l1_reverse');
  });

  it('resuming gives the same model, byte for byte', () => {
    const d2 = tempDir();
    expect(rnn(['train', corpus, ...ARGS, '--steps', '20'], { cwd: d2 }).code).toBe(0);
    const r = rnn(['train', '--resume', 'bi.ckpt.json', '--steps', '50', '--quiet'], { cwd: d2 });
    expect(r.code, r.stderr).toBe(0);
    expect(modelWithoutTimes(join(d2, 'bi.json'))).toBe(modelWithoutTimes(join(dir, 'bi.json')));
  });

  it('fill replaces every _ and keeps the rest of the text', () => {
    const r = rnn(['fill', '--model', 'bi.json', 'To be, or n_t to be, th__ is'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^To be, or n.t to be, th.. is\n$/);
    expect(r.stdout).not.toContain('_');
  });

  it('fill --json gives each gap with its probabilities; --samples N draws N, repeatably', () => {
    const r = rnn(['fill', '--model', 'bi.json', '--json', 'ab_c___d'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o.mode).toBe('bidirectional');
    expect(o.gaps.map((g: { start: number; length: number }) => [g.start, g.length])).toEqual([[2, 1], [4, 3]]);
    for (const g of o.gaps) {
      expect(g.chars).toHaveLength(g.length);
      expect(g.probability).toBeGreaterThan(0);
      expect(g.probability).toBeLessThanOrEqual(1);
    }
    const s1 = rnn(['fill', '--model', 'bi.json', '--samples', '4', '--seed', '9', '--temperature', '1.5', 'h_ll_'], { cwd: dir });
    const s2 = rnn(['fill', '--model', 'bi.json', '--samples', '4', '--seed', '9', '--temperature', '1.5', 'h_ll_'], { cwd: dir });
    expect(s1.code, s1.stderr).toBe(0);
    expect(s1.stdout.trimEnd().split('\n')).toHaveLength(4);
    expect(s1.stdout).toBe(s2.stdout);
  });

  it('warns about characters not in the vocabulary', () => {
    const r = rnn(['fill', '--model', 'bi.json', 'caf€ _s'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: 1 character.*<UNK>/);
  });

  it('eval perplexity reports the infill perplexity and says so', () => {
    const r = rnn(['eval', 'perplexity', '--model', 'bi.json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('infill perplexity');
    const j = JSON.parse(rnn(['eval', 'perplexity', '--model', 'bi.json', '--json'], { cwd: dir }).stdout);
    expect(j.infill).toBe(true);
    expect(j.nats).toBeGreaterThan(0);
  });

  it('sample refuses a bidirectional model with a clear message', () => {
    const r = rnn(['sample', '--model', 'bi.json', '-n', '10'], { cwd: dir });
    expectCleanError(r);
    expect(r.stderr).toContain('cannot sample from a bidirectional model');
  });

  it('a left-to-right model fills from the left context, with a warning', () => {
    const r0 = rnn(['train', corpus, '--hidden', '16', '--layers', '1', '--steps', '5', '--seed', '1', '--threads', '1', '-o', 'uni.json', '--quiet'], { cwd: dir });
    expect(r0.code, r0.stderr).toBe(0);
    const r = rnn(['fill', '--model', 'uni.json', '--json', 'ab_c'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).mode).toBe('left-context');
    expect(r.stderr).toContain('left context only');
  });

  it('fill without text is a usage error', () => {
    expectCleanError(rnn(['fill', '--model', 'bi.json'], { cwd: dir }));
  });

  it('gradcheck --bidirectional passes', () => {
    const r = rnn(['gradcheck', '--bidirectional', '--cell', 'lstm', '--layers', '2'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('rnn.weight_ih_l1_reverse');
    expect(r.stdout).toContain('PASS');
  });
});
