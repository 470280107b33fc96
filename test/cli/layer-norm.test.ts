import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { train } from '../../src/api/train.ts';
import { LN_WEIGHT_DECAY } from '../../src/options.ts';
import { defaultTrainOptions, type TrainOptionsInput } from '../../src/train/options.ts';
import { modelWithoutTimes, rnn, tempDir } from './run.ts';

const ARGS = ['--layer-norm', '--hidden', '16', '--layers', '2', '--dropout', '0.1', '--batch-size', '4', '--seq-length', '12',
  '--eval-every', '20', '--checkpoint-every', '10', '--seed', '3', '--threads', '1', '--output', 'm.json', '--quiet'];

describe('layer normalisation by default: an lstm has it unless told, the other forms do not', () => {
  const small = ['--hidden', '8', '--layers', '1', '--batch-size', '2', '--seq-length', '8', '--steps', '2', '--threads', '1', '--quiet', '--seed', '1'];
  const configOf = (...flags: string[]) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.txt'), 'to be or not to be, that is the question\n'.repeat(20));
    const r = rnn(['train', 'c.txt', ...small, ...flags], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8')).config;
  };

  it('rnn train: lstm → layer-norm; --no-layer-norm → plain; gru and a peephole lstm are plain without a word', () => {
    expect(configOf().layerNorm).toBe(true);
    expect(configOf('--no-layer-norm').layerNorm).toBe(false);
    expect(configOf('--cell', 'gru')).toMatchObject({ cell: 'gru', layerNorm: false });
    expect(configOf('--peephole')).toMatchObject({ peephole: true, layerNorm: false });
  });

  it('the library decides the same; a layer-normalised model gets weight decay LN_WEIGHT_DECAY unless given', () => {
    const d = (input: TrainOptionsInput) => defaultTrainOptions(input);
    expect([d({}).model.layerNorm, d({}).weightDecay]).toEqual([true, LN_WEIGHT_DECAY]);
    expect([d({ model: { cell: 'rnn' } }).model.layerNorm, d({ model: { cell: 'rnn' } }).weightDecay]).toEqual([false, 0]);
    expect(d({ model: { coupled: true } }).model.layerNorm).toBe(false);
    expect([d({ model: { layerNorm: false } }).model.layerNorm, d({ model: { layerNorm: false } }).weightDecay]).toEqual([false, 0]);
    expect(d({ weightDecay: 0 }).weightDecay).toBe(0);
  });
});

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

  it('exports to safetensors and ONNX (the ONNX runs are in test/interop/onnx.test.ts)', () => {
    expect(rnn(['export', 'm.json', '-o', 'm.safetensors'], { cwd: dir }).code).toBe(0);
    const r = rnn(['export', 'm.json', '-o', 'm.onnx'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'm.onnx')).length).toBeGreaterThan(1000);
  });
});
