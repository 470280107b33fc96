import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { BIN, expectCleanError, rnn, tempDir } from './run.ts';

const SMALL = ['--hidden', '24', '--layers', '1', '--batch-size', '8', '--seq-length', '16'];

describe('rnn train → sample → eval, from the built binary', () => {
  let dir: string;
  let corpus: string;

  beforeAll(() => {
    dir = tempDir();
    corpus = join(dir, 'corpus.txt');
    const text = readFileSync(resolve(__dirname, '../../corpora/tinyshakespeare.txt'), 'utf8').slice(0, 60_000);
    writeFileSync(corpus, text);
    const r = rnn(['train', corpus, ...SMALL, '--steps', '60', '--eval-every', '30', '--seed', '7', '--output', 'm.json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(''); // progress goes to stderr
    expect(r.stderr).toMatch(/validation loss/);
  });

  it('writes the model and its checkpoint', () => {
    expect(existsSync(join(dir, 'm.json'))).toBe(true);
    expect(existsSync(join(dir, 'm.ckpt.json'))).toBe(true);
    const info = JSON.parse(rnn(['info', '--model', 'm.json', '--json'], { cwd: dir }).stdout);
    expect(info.config.cell).toBe('lstm');
    expect(info.training.seed).toBe(7);
    expect(info.training.history.length).toBeGreaterThanOrEqual(2);
  });

  it('samples the same text for the same seed', () => {
    const a = rnn(['sample', '--model', 'm.json', '--seed', '1', '--length', '200'], { cwd: dir });
    const b = rnn(['sample', '--model', 'm.json', '--seed', '1', '--length', '200'], { cwd: dir });
    const c = rnn(['sample', '--model', 'm.json', '--seed', '2', '--length', '200'], { cwd: dir });
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout.length).toBeGreaterThan(150);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).not.toBe(c.stdout);
  });

  it('evaluates the held-out split and a given file', () => {
    const split = JSON.parse(rnn(['eval', 'perplexity', '--model', 'm.json', '--json'], { cwd: dir }).stdout);
    expect(split.tokens).toBeGreaterThan(1000);
    expect(split.perplexity).toBeCloseTo(Math.exp(split.nats), 6);
    expect(split.nats).toBeLessThan(Math.log(info(dir).vocab.size)); // it learned something
    const other = join(dir, 'other.txt');
    writeFileSync(other, 'To be, or not to be: that is the question. 漢字\n');
    const r = JSON.parse(rnn(['eval', 'perplexity', '--model', 'm.json', other, '--json'], { cwd: dir }).stdout);
    expect(r.unknown).toBe(2);
    expect(r.bits).toBeCloseTo(r.nats / Math.LN2, 6);
  });

  it('scores sentences, best first', () => {
    const r = rnn(['score', '--model', 'm.json', '--json', 'the the the', 'zqxj zqxj'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const scores = JSON.parse(r.stdout);
    expect(scores[0].text).toBe('the the the');
    expect(scores[0].logProb).toBeGreaterThan(scores[1].logProb);
  });

  it('never overwrites a good model when a run fails', () => {
    copyFileSync(join(dir, 'm.json'), join(dir, 'keep.json'));
    const before = readFileSync(join(dir, 'keep.json'));
    const r = rnn(['train', join(dir, 'missing.txt'), '--output', 'keep.json'], { cwd: dir });
    expectCleanError(r);
    expect(readFileSync(join(dir, 'keep.json')).equals(before)).toBe(true);
  });
});

function info(dir: string) {
  return JSON.parse(rnn(['info', '--model', 'm.json', '--json'], { cwd: dir }).stdout);
}

describe('stdout closed early', () => {
  it('`rnn sample | head` ends quietly, no stack trace', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.txt'), 'abc abc abc\n'.repeat(50));
    expect(rnn(['train', 'c.txt', '--hidden', '8', '--layers', '1', '--steps', '3', '--quiet'], { cwd: dir }).code).toBe(0);
    const r = spawnSync('bash', ['-c', `node ${BIN} sample --length 200000 --seed 1 | head -c 10`], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(r.stderr).not.toMatch(/EPIPE|at .+:\d+:\d+/);
  });
});
