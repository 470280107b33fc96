import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultModelConfig, type ModelConfig } from '../../src/engine/config.ts';
import { RnnError } from '../../src/errors.ts';
import {
  checkParams,
  loadModelFile,
  loadParamsInto,
  parseModelFile,
  saveModelFile,
  serializeModelFile,
  tensorsOf,
  type ModelFileInit,
} from '../../src/model-io/model-file.ts';
import { Rng } from '../../src/util/rng.ts';
import { Vocab } from '../../src/tokenizer/vocab.ts';

const dir = mkdtempSync(join(tmpdir(), 'rnn-model-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Random float32 bit patterns that are finite: every exponent, both signs, subnormals, ±0. */
function randomFloats(n: number, rng: Rng): Float32Array {
  const u = new Uint32Array(n);
  const f = new Float32Array(u.buffer);
  for (let i = 0; i < n; i++) {
    do u[i] = rng.nextU32();
    while (!Number.isFinite(f[i]));
  }
  return f;
}

function sampleFile(withCheckpoint = false): ModelFileInit {
  const vocab = Vocab.fromText('hello world 😀\n', { eos: 'line' });
  const config: ModelConfig = { ...defaultModelConfig, hidden: 4, layers: 1, vocabSize: vocab.size };
  const rng = new Rng(7);
  const V = vocab.size;
  const w = randomFloats(16 * V, rng);
  w[0] = -0;
  w[1] = 1e-45; // smallest subnormal
  w[2] = -1.1754942e-38; // largest negative subnormal
  w[3] = 3.4028234663852886e38; // max float32
  const file: ModelFileInit = {
    config,
    vocab,
    params: {
      'layers.0.weight_ih': { shape: [16, V], data: w },
      'layers.0.weight_hh': { shape: [16, 4], data: randomFloats(64, rng) },
      'head.bias': { shape: [V], data: randomFloats(V, rng) },
    },
    training: {
      corpus: { name: 'x.txt', bytes: 17, chars: 14, sha256: 'a'.repeat(64) },
      split: { valFraction: 0.05, trainTokens: 14, valTokens: 1 },
      seed: 42,
      steps: 3,
      epochs: 1,
      options: { lr: 0.002, optimizer: 'adam' },
      history: [
        { step: 1, epoch: 0, trainLoss: 2.5, valLoss: null, lr: 0.002, gradNorm: 1.5, clipRate: 0.25, charsPerSecond: 12000, seconds: 0.5 },
        { step: 3, epoch: 1, trainLoss: null, valLoss: 2.3, lr: null, gradNorm: null, clipRate: null, charsPerSecond: null, seconds: null },
      ],
      bestValLoss: 2.3,
    },
  };
  if (withCheckpoint) {
    const m = new Float64Array(5).map(() => rng.normal());
    m[4] = 5e-324; // float64 subnormal
    file.checkpoint = { json: { step: 3, rng: [1, 2, 3, 4], cursor: [0, 5] }, tensors: { 'adam.m.head.bias': { shape: [5], data: m }, state: { shape: [2, 4], data: randomFloats(8, rng) } } };
  }
  return file;
}

const bits = (a: Float32Array | Float64Array) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

describe('model file round trip', () => {
  it('a history written before lr, gradient norms and timings were recorded reads them as null', () => {
    const file = JSON.parse(serializeModelFile(sampleFile(false)));
    file.training.history = [{ step: 1, epoch: 0, trainLoss: 2.5, valLoss: 2.4 }];
    const back = parseModelFile(JSON.stringify(file));
    expect(back.training.history[0]).toEqual({ step: 1, epoch: 0, trainLoss: 2.5, valLoss: 2.4, lr: null, gradNorm: null, clipRate: null, charsPerSecond: null, seconds: null });
  });

  it('a config written before --layer-norm existed reads as without it', () => {
    const file = JSON.parse(serializeModelFile(sampleFile(false)));
    expect(file.config.layerNorm).toBe(false);
    delete file.config.layerNorm;
    expect(parseModelFile(JSON.stringify(file)).config.layerNorm).toBe(false);
  });

  it('save then load is bit-identical (−0, subnormals, all exponents)', () => {
    const src = sampleFile(true);
    const path = join(dir, 'm.json');
    saveModelFile(path, src);
    const back = loadModelFile(path);
    expect(back.format).toBe('rnn-model');
    expect(back.version).toBe(1);
    expect(back.config).toEqual(src.config);
    expect(back.vocab.chars).toEqual(src.vocab.chars);
    expect(back.training).toEqual(src.training);
    expect(Object.keys(back.params)).toEqual(Object.keys(src.params)); // order kept
    for (const [name, t] of Object.entries(src.params)) {
      expect(back.params[name].shape).toEqual(t.shape);
      expect(back.params[name].data).toBeInstanceOf(Float32Array);
      expect(bits(back.params[name].data)).toEqual(bits(t.data));
    }
    expect(Object.is(back.params['layers.0.weight_ih'].data[0], -0)).toBe(true);
    expect(back.params['layers.0.weight_ih'].data[1]).toBe(Math.fround(1e-45));
    expect(back.checkpoint!.json).toEqual(src.checkpoint!.json);
    const m = back.checkpoint!.tensors['adam.m.head.bias'].data;
    expect(m).toBeInstanceOf(Float64Array);
    expect(bits(m)).toEqual(bits(src.checkpoint!.tensors['adam.m.head.bias'].data));
    expect(m[4]).toBe(5e-324);
    // and saving what was loaded gives the same bytes
    expect(serializeModelFile(back)).toBe(readFileSync(path, 'utf8'));
  });

  it('writes atomically: no temp files left, an old file survives a failed save', () => {
    const path = join(dir, 'atomic.json');
    saveModelFile(path, sampleFile());
    const before = readFileSync(path, 'utf8');
    const bad = sampleFile();
    bad.params['head.bias'].data[0] = NaN;
    expect(() => saveModelFile(path, bad)).toThrow(/refusing to save an invalid model/);
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    try {
      saveModelFile(join(dir, 'no', 'such', 'dir.json'), sampleFile());
      expect.unreachable();
    } catch (e) {
      expect((e as RnnError).message).toMatch(/cannot write .*dir.json/);
      expect((e as RnnError).got).toMatch(/does not exist/);
    }
    mkdirSync(join(dir, 'adir'));
    expect(() => saveModelFile(join(dir, 'adir'), sampleFile())).toThrow(/is a directory/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('tensorsOf / checkParams / loadParamsInto with the engine\'s params', () => {
    const file = sampleFile();
    const expected = Object.entries(file.params).map(([name, t]) => ({ name, shape: t.shape, data: new Float32Array(t.data.length) }));
    loadParamsInto(file.params, expected);
    expect(bits(expected[0].data)).toEqual(bits(file.params['layers.0.weight_ih'].data));
    expect(Object.keys(tensorsOf(expected))).toEqual(Object.keys(file.params));
    const wrong = [{ name: 'layers.0.weight_ih', shape: [16, 99] }, { name: 'head.weight', shape: [3, 4] }, { name: 'head.bias', shape: [file.vocab.size] }];
    try {
      checkParams(file.params, wrong, 'm.json');
      expect.unreachable();
    } catch (e) {
      const err = e as RnnError;
      expect(err.message).toBe('the parameters in m.json do not fit its configuration');
      expect(err.got).toContain(`layers.0.weight_ih is [16, ${file.vocab.size}], expected [16, 99]`);
      expect(err.got).toContain('missing head.weight');
      expect(err.got).toContain('unexpected layers.0.weight_hh');
    }
  });
});

describe('model file validation', () => {
  const good = JSON.parse(serializeModelFile(sampleFile(true)));
  const load = (text: string, name = 'bad.json'): RnnError => {
    const p = join(dir, name);
    writeFileSync(p, text);
    try {
      loadModelFile(p);
    } catch (e) {
      expect(e).toBeInstanceOf(RnnError);
      return e as RnnError;
    }
    throw new Error('expected the load to fail');
  };
  const mutate = (f: (j: any) => void): RnnError => {
    const j = structuredClone(good);
    f(j);
    return load(JSON.stringify(j));
  };

  it('file-level problems', () => {
    expect(() => loadModelFile(join(dir, 'missing.json'))).toThrow(/model file not found/);
    expect(() => loadModelFile(dir)).toThrow(/is a directory/);
    expect(load('hello').message).toMatch(/bad.json is not valid JSON/);
    expect(load('').got).toBe('an empty file');
    const text = JSON.stringify(good);
    const cut = load(text.slice(0, Math.floor(text.length / 2)));
    expect(cut.message).toMatch(/is truncated/);
    expect(cut.hint).toMatch(/interrupted/);
    expect(load('[]').message).toMatch(/bad top level/);
    expect(load('['.repeat(100000) + ']'.repeat(100000)).message).toMatch(/nests too deeply/);
    expect(load('{"format":"rnn-model","__proto__":{"x":1}}').message).toMatch(/forbidden key "__proto__"/);
    expect(mutate((j) => (j.checkpoint.json = { constructor: { prototype: 1 } })).message).toMatch(/forbidden key "(constructor|prototype)"/);
    expect(mutate((j) => (j.checkpoint.json = { constructor: 1 })).message).toMatch(/forbidden key "constructor"/);
  });

  it('format and version', () => {
    expect(mutate((j) => (j.format = 'char-rnn')).message).toMatch(/bad format/);
    expect(mutate((j) => delete j.format).got).toBe('nothing (missing)');
    const v2 = mutate((j) => (j.version = 2));
    expect(v2.message).toMatch(/unsupported model file version 2/);
    expect(v2.hint).toMatch(/newer rnn/);
    expect(mutate((j) => (j.version = '1')).message).toMatch(/bad version/);
  });

  it('config', () => {
    expect(mutate((j) => (j.config.cell = 'transformer')).message).toMatch(/bad config.cell/);
    expect(mutate((j) => (j.config.hidden = 0)).message).toMatch(/bad config.hidden/);
    expect(mutate((j) => (j.config.hidden = 2.5)).message).toMatch(/bad config.hidden/);
    expect(mutate((j) => (j.config.layers = 0)).message).toMatch(/bad config.layers/);
    expect(mutate((j) => (j.config.dropout = 1)).message).toMatch(/bad config.dropout/);
    expect(mutate((j) => (j.config.activation = 'gelu')).message).toMatch(/bad config.activation/);
    expect(mutate((j) => (j.config.peephole = 'yes')).message).toMatch(/bad config.peephole/);
    expect(mutate((j) => (j.config.layerNorm = 1)).message).toMatch(/bad config.layerNorm/);
    expect(mutate((j) => (j.config.layerNorm = null)).message).toMatch(/bad config.layerNorm/);
    expect(mutate((j) => delete j.config.bidirectional).message).toMatch(/bad config.bidirectional/);
    expect(mutate((j) => (j.config.extra = 1)).message).toMatch(/bad config.extra/);
    const vs = mutate((j) => (j.config.vocabSize = 99));
    expect(vs.message).toMatch(/bad config.vocabSize/);
    expect(vs.expected).toMatch(/size of the vocabulary/);
    expect(vs.message).toMatch(/^invalid model file .*bad.json: /);
  });

  it('vocab', () => {
    expect(mutate((j) => (j.vocab.chars = ['b', 'a'])).message).toMatch(/vocab: chars\[1\]/);
    expect(mutate((j) => delete j.vocab).message).toMatch(/vocab/);
  });

  it('params: shapes, dtypes, sizes, base64, finite values', () => {
    const name = 'layers.0.weight_ih';
    expect(mutate((j) => (j.params[name].shape = [16, -1])).message).toMatch(/bad params\["layers.0.weight_ih"\].shape\[1\]/);
    expect(mutate((j) => (j.params[name].shape = [])).message).toMatch(/shape/);
    expect(mutate((j) => (j.params[name].shape = '16x17')).message).toMatch(/shape/);
    expect(mutate((j) => (j.params[name].shape = [16, 1.5])).message).toMatch(/shape\[1\]/);
    // a huge declared size is refused from the numbers alone, before any allocation
    const huge = mutate((j) => (j.params[name].shape = [1e9, 1e9]));
    expect(huge.message).toMatch(/shape/);
    expect(huge.expected).toMatch(/at most 268435456 elements/);
    const size = mutate((j) => (j.params[name].shape = [16, 16]));
    expect(size.message).toMatch(/\.data/);
    expect(size.expected).toMatch(/^1024 bytes/);
    expect(size.got).toBe(`${16 * good.vocab.chars.length * 4 + 16 * 2 * 4} bytes`);
    expect(mutate((j) => (j.params[name].dtype = 'float64')).message).toMatch(/dtype/);
    expect(mutate((j) => (j.params[name].data = j.params[name].data.slice(0, -4))).message).toMatch(/\.data/);
    expect(mutate((j) => (j.params[name].data = '!!!!' + j.params[name].data.slice(4))).expected).toMatch(/base64/);
    expect(mutate((j) => (j.params[name].data = 12)).message).toMatch(/\.data/);
    const nan = Buffer.from(new Float32Array([1, 2, NaN, 4]).buffer).toString('base64');
    const e = mutate((j) => (j.params[name] = { shape: [4], dtype: 'float32', data: nan }));
    expect(e.message).toMatch(/data\[2\]/);
    expect(e.got).toBe('NaN');
    const inf = Buffer.from(new Float32Array([Infinity]).buffer).toString('base64');
    expect(mutate((j) => (j.params[name] = { shape: [1], dtype: 'float32', data: inf })).got).toBe('Infinity');
    expect(mutate((j) => (j.params = {})).message).toMatch(/bad params/);
    expect(mutate((j) => (j.params = [])).message).toMatch(/bad params/);
  });

  it('training provenance', () => {
    expect(mutate((j) => (j.training.corpus.sha256 = 'xyz')).message).toMatch(/sha256/);
    expect(mutate((j) => (j.training.seed = -1)).message).toMatch(/training.seed/);
    expect(mutate((j) => (j.training.split.valFraction = 1)).message).toMatch(/valFraction/);
    expect(mutate((j) => (j.training.history[1].trainLoss = 'low')).message).toMatch(/history\[1\].trainLoss/);
    expect(mutate((j) => (j.training.history = {})).message).toMatch(/history/);
    expect(mutate((j) => (j.training.history[0].epoch = 0.5)).message).toMatch(/history\[0\].epoch/);
    expect(mutate((j) => (j.training.options = 3)).message).toMatch(/options/);
    expect(mutate((j) => delete j.training).message).toMatch(/bad training/);
  });

  it('checkpoint', () => {
    expect(mutate((j) => delete j.checkpoint.json).message).toMatch(/checkpoint.json/);
    expect(mutate((j) => (j.checkpoint.tensors.state.dtype = 'int8')).message).toMatch(/checkpoint.tensors.state.dtype/);
    expect(mutate((j) => (j.checkpoint.tensors['adam.m.head.bias'].shape = [4])).got).toBe('40 bytes');
    const noCkpt = mutate((j) => (j.config.hidden = 0));
    expect(noCkpt).toBeInstanceOf(RnnError);
    const j = structuredClone(good);
    delete j.checkpoint;
    expect(parseModelFile(JSON.stringify(j)).checkpoint).toBeUndefined();
  });

  it('the error is the project\'s RnnError with expected / got / hint', () => {
    const e = mutate((j) => (j.config.hidden = -3));
    expect(e.kind).toBe('user');
    expect(e.expected).toBe('a whole number from 1 to 65536'); // as the option table says it
    expect(e.got).toBe('-3');
    expect(e.hint).toBeTruthy();
    expect(existsSync(join(dir, 'bad.json'))).toBe(true);
  });
});
