import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { train } from '../../src/api/train.ts';
import { expectCleanError, modelWithoutTimes, rnn, tempDir } from './run.ts';

const ARGS = ['--layer-norm', '--hidden', '16', '--layers', '2', '--dropout', '0.1', '--batch-size', '4', '--seq-length', '12',
  '--eval-every', '20', '--checkpoint-every', '10', '--seed', '3', '--threads', '1', '--output', 'm.json', '--quiet'];

describe('--layer-norm: train, resume, inspect, sample, evaluate, export', () => {
  let corpus: string;
  let dir: string;

  beforeAll(() => {
    corpus = join(tempDir(), 'corpus.txt');
    writeFileSync(corpus, readFileSync(resolve(__dirname, '../../corpora/tinyshakespeare.txt'), 'utf8').slice(0, 30_000));
    dir = tempDir();
    const r = rnn(['train', corpus, ...ARGS, '--steps', '60'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
  });

  it('records the option in the model file, learns, and says what the cell is', () => {
    const m = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8'));
    expect(m.config.layerNorm).toBe(true);
    expect(Object.keys(m.params)).toContain('rnn.ln_hh_l1');
    expect(m.training.bestValLoss).toBeLessThan(Math.log(m.config.vocabSize) - 0.5);
    const info = rnn(['info', '--model', 'm.json'], { cwd: dir });
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toMatch(/lstm \(layer-norm\)/);
  });

  it('resumes exactly: stopped at step 30, resumed, it is the 60-step model byte for byte', async () => {
    const half = tempDir();
    const stop = new AbortController();
    const step = () => JSON.parse(readFileSync(join(half, 'm.ckpt.json'), 'utf8')).training.steps;
    const events = { saved: (kind: string) => { if (kind === 'checkpoint' && step() === 30) stop.abort(); } };
    const model = { layerNorm: true, hidden: 16, layers: 2, dropout: 0.1 };
    const first = await train({ corpus: [corpus], model, batchSize: 4, seqLength: 12, evalEvery: 20, checkpointEvery: 10, seed: 3, threads: 1, steps: 60, output: join(half, 'm.json') },
      { signal: stop.signal, events });
    expect(first.run.step).toBe(30);
    const r = rnn(['train', '--resume', 'm.ckpt.json', '--quiet'], { cwd: half });
    expect(r.code, r.stderr).toBe(0);
    expect(modelWithoutTimes(join(half, 'm.json'))).toBe(modelWithoutTimes(join(dir, 'm.json')));
  });

  it('samples and evaluates', () => {
    const s = rnn(['sample', '--model', 'm.json', '--seed', '1', '--length', '80'], { cwd: dir });
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout.length).toBeGreaterThan(60);
    const e = JSON.parse(rnn(['eval', 'perplexity', '--model', 'm.json', '--json'], { cwd: dir }).stdout);
    expect(e.nats).toBeGreaterThan(0);
  });

  it('exports to safetensors; ONNX refuses it in one line with a hint', () => {
    expect(rnn(['export', 'm.json', '-o', 'm.safetensors'], { cwd: dir }).code).toBe(0);
    const r = rnn(['export', 'm.json', '-o', 'm.onnx'], { cwd: dir });
    expectCleanError(r);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no layer-normalised form/);
    expect(r.stderr).toMatch(/--format safetensors/);
  });
});
