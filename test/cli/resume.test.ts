import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { train } from '../../src/api/train.ts';
import { BIN, modelWithoutTimes, rnn, tempDir } from './run.ts';

// Small and quick, but with dropout and a carried state, so that an inexact resume would show.
const SHAPE = { hidden: 16, layers: 2, dropout: 0.1 };
const ARGS = ['--hidden', '16', '--layers', '2', '--dropout', '0.1', '--batch-size', '4', '--seq-length', '12',
  '--eval-every', '20', '--checkpoint-every', '10', '--seed', '3', '--threads', '1', '--output', 'm.json', '--quiet'];

const checkpointStep = (path: string): number => JSON.parse(readFileSync(path, 'utf8')).training.steps;

describe('exact resume', () => {
  let corpus: string;
  let reference: string;

  beforeAll(() => {
    const base = tempDir();
    corpus = join(base, 'corpus.txt');
    writeFileSync(corpus, readFileSync(resolve(__dirname, '../../corpora/tinyshakespeare.txt'), 'utf8').slice(0, 30_000));
    const dir = tempDir();
    const r = rnn(['train', corpus, ...ARGS, '--steps', '120'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    reference = modelWithoutTimes(join(dir, 'm.json'));
  });

  it('stopped at step 30 exactly (through the library), resuming gives the same model, byte for byte', async () => {
    const dir = tempDir();
    const stop = new AbortController();
    const events = { saved: (kind: string) => { if (kind === 'checkpoint' && checkpointStep(join(dir, 'm.ckpt.json')) === 30) stop.abort(); } };
    const first = await train({ corpus: [corpus], model: SHAPE, batchSize: 4, seqLength: 12, evalEvery: 20, checkpointEvery: 10, seed: 3, threads: 1, steps: 120, output: join(dir, 'm.json') },
      { signal: stop.signal, events });
    expect(first.reason).toBe('interrupted');
    expect(first.run.step).toBe(30); // the abort lands before the next step
    const r = rnn(['train', '--resume', 'm.ckpt.json', '--quiet'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(modelWithoutTimes(join(dir, 'm.json'))).toBe(reference);
  });

  for (const signal of ['SIGKILL', 'SIGINT'] as const) {
    it(`after ${signal} at any moment, resuming to the same total gives the same model`, async () => {
      const dir = tempDir();
      const child = spawn(process.execPath, [BIN, 'train', corpus, ...ARGS, '--steps', '120'], { cwd: dir, stdio: 'ignore' });
      const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
      while (!existsSync(join(dir, 'm.ckpt.json')) && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
      child.kill(signal);
      const code = await exited;
      if (signal === 'SIGINT' && code !== 0) expect(code).toBe(130); // 0: the run had finished before the signal
      if (checkpointStep(join(dir, 'm.ckpt.json')) < 120) {
        const r = rnn(['train', '--resume', 'm.ckpt.json', '--quiet'], { cwd: dir });
        expect(r.code, r.stderr).toBe(0);
      }
      expect(modelWithoutTimes(join(dir, 'm.json'))).toBe(reference);
    });
  }
});

describe('resume keeps to its files and its data', () => {
  it('from another directory, writes where the run was started', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.txt'), readFileSync(resolve(__dirname, '../../corpora/tinyshakespeare.txt'), 'utf8').slice(0, 8_000));
    const small = ['--hidden', '8', '--layers', '1', '--batch-size', '2', '--seq-length', '8', '--seed', '1', '--threads', '1', '--quiet'];
    expect(rnn(['train', 'c.txt', ...small, '--steps', '10'], { cwd: dir }).code).toBe(0);
    const elsewhere = tempDir();
    const r = rnn(['train', '--resume', join(dir, 'c.ckpt.json'), '--steps', '20', '--quiet'], { cwd: elsewhere });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(elsewhere, 'c.json'))).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, 'c.ckpt.json'), 'utf8')).training.steps).toBe(20);
  });

  it('an --epochs stop resumes at the right block', () => {
    const base = tempDir();
    const corpus = join(base, 'c.txt');
    writeFileSync(corpus, readFileSync(resolve(__dirname, '../../corpora/tinyshakespeare.txt'), 'utf8').slice(0, 3_000));
    // the step schedule and a given dropout: neither depends on the budget (the defaults do), so that one epoch resumed to two is two
    const args = ['--hidden', '8', '--layers', '1', '--dropout', '0.2', '--batch-size', '4', '--seq-length', '16', '--seed', '2', '--threads', '1', '--eval-every', '5', '--lr-schedule', 'step', '--patience', 'none', '--quiet'];
    const a = tempDir(), b = tempDir();
    expect(rnn(['train', corpus, ...args, '--epochs', '2'], { cwd: a }).code).toBe(0);
    expect(rnn(['train', corpus, ...args, '--epochs', '1'], { cwd: b }).code).toBe(0);
    expect(rnn(['train', '--resume', 'c.ckpt.json', '--epochs', '2', '--quiet'], { cwd: b }).code).toBe(0);
    expect(modelWithoutTimes(join(b, 'c.json'))).toBe(modelWithoutTimes(join(a, 'c.json')));
  });
});
