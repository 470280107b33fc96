/**
 * `rnn export --format onnx`: onnxruntime runs the exported graph of every cell and variant and
 * gets rnn's own log-probabilities (to 1e-5), whether it scores a whole text at once, steps one
 * token at a time carrying the states, or reads two streams side by side; a bidirectional model's
 * graph gives rnn's infill log-probabilities. Without onnxruntime-node (not a dependency) those
 * tests are skipped, saying so; the protobuf and the refusals are checked either way.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelFile } from '../../src/model-io/index.ts';
import { rnn, tempDir } from '../cli/run.ts';
import { Vocab } from '../../src/tokenizer/vocab.ts';
import type { LanguageModel } from '../../src/engine/language-model.ts';
import { RnnError } from '../../src/errors.ts';
import { evaluate } from '../../src/eval/evaluate.ts';
import { forEachInfillRow, hasInfill } from '../../src/eval/infill.ts';
import { GraphBuilder } from '../../src/interop/onnx/graph.ts';
import { SATURATED } from '../../src/interop/onnx/gru-op.ts';
import { DataType, encodeModel } from '../../src/interop/onnx/messages.ts';
import { onnxModel } from '../../src/interop/onnx/export.ts';
import { ProtoWriter } from '../../src/interop/onnx/protobuf.ts';
import { logSumExp } from '../../src/util/softmax.ts';
import { variants } from '../engine/variants.ts';
import { modelHeader } from './onnx-decode.ts';
import { floats, loadOrt, randomModel, TEXT, textIds, vocab, type Ort, type OrtSession, type OrtTensor } from './onnx-fixtures.ts';

const TOLERANCE = 1e-5;
const V = vocab.size;
const { ort, reason } = await loadOrt();
if (!ort) {
  console.warn(`ONNX tests that run the exported models are SKIPPED: onnxruntime-node cannot be loaded (${reason}). `
    + 'Install it as .ci/run does (npm install --no-save onnxruntime-node).');
}

/** Each row of logits (P, V) minus its log-sum-exp, in float64: rnn's log-probabilities. */
function logSoftmax(z: ArrayLike<number>, P: number): Float64Array {
  const out = new Float64Array(P * V);
  const row = Float64Array.from({ length: P * V }, (_, k) => z[k]!);
  for (let p = 0; p < P; p++) {
    const lse = logSumExp(row, p * V, V);
    for (let v = 0; v < V; v++) out[p * V + v] = row[p * V + v]! - lse;
  }
  return out;
}

/** max |a − b| over the elements. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k]! - b[k]!));
  return m;
}

/** Time-major (T, B) ids of B streams of equal length. */
function interleave(streams: Int32Array[]): Int32Array {
  const T = streams[0]!.length, B = streams.length;
  return Int32Array.from({ length: T * B }, (_, p) => streams[p % B]![Math.floor(p / B)]!);
}

/** A second stream as long as the first: the text's ids rotated (it still starts with <EOS>). */
function otherStream(ids: Int32Array): Int32Array {
  const out = Int32Array.from(ids);
  out.set(ids.subarray(7, ids.length - 1), 1);
  out.set(ids.subarray(1, 7), ids.length - 7);
  return out;
}

const tokensTensor = (o: Ort, ids: Int32Array, T: number, B: number): OrtTensor => new o.Tensor('int64', BigInt64Array.from(ids, (x) => BigInt(x)), [T, B]);
const stateTensor = (o: Ort, data: ArrayLike<number>, B: number, H: number): OrtTensor => new o.Tensor('float32', Float32Array.from(data), [1, B, H]);

/** Zero states h{l} (and c{l}) for B streams. */
function zeroStates(o: Ort, file: { config: { layers: number; hidden: number; cell: string } }, B: number): Record<string, OrtTensor> {
  const { layers, hidden: H, cell } = file.config;
  const feeds: Record<string, OrtTensor> = {};
  for (let l = 0; l < layers; l++) {
    feeds[`h${l}`] = stateTensor(o, new Float32Array(B * H), B, H);
    if (cell === 'lstm') feeds[`c${l}`] = stateTensor(o, new Float32Array(B * H), B, H);
  }
  return feeds;
}

/** rnn's log-probabilities (T·B, V) of a left-to-right model from a zero state, and the state after. */
function rnnLogProbs(model: LanguageModel, ids: Int32Array, T: number, B: number): { lp: Float64Array; state: ArrayLike<number> } {
  const state = model.newState(B);
  const lp = logSoftmax(model.logits(ids, T, B, state), T * B);
  return { lp, state };
}

describe('ONNX export: the file', () => {
  it('encodes varints (negative int64 as 10 bytes), fixed32 floats and length-delimited fields as protobuf does', () => {
    expect([...new ProtoWriter().int(3, -1).finish()]).toEqual([0x18, ...Array(9).fill(0xff), 0x01]);
    expect([...new ProtoWriter().int(1, 300).finish()]).toEqual([0x08, 0xac, 0x02]);
    expect([...new ProtoWriter().float(2, 1).finish()]).toEqual([0x15, 0x00, 0x00, 0x80, 0x3f]);
    expect([...new ProtoWriter().string(4, 'é').message(5, 7, (w, v) => w.int(1, v)).finish()]).toEqual([0x22, 2, 0xc3, 0xa9, 0x2a, 2, 0x08, 7]);
  });

  it('declares opset 17 and IR version 8, and carries the configuration and the vocabulary in its metadata', () => {
    const { file } = randomModel({ cell: 'lstm', peephole: true }, 1);
    const { irVersion, opsets, metadata } = modelHeader(onnxModel(file));
    expect(irVersion).toBe(8n);
    expect(opsets).toEqual([17n]);
    expect(metadata.get('format')).toBe('rnn-model');
    expect(JSON.parse(metadata.get('config')!)).toEqual(file.config);
    const v = Vocab.fromJSON(JSON.parse(metadata.get('vocab')!));
    expect(v.size).toBe(V);
    expect([...v.encode('fox').ids]).toEqual([...vocab.encode('fox').ids]);
    expect(metadata.get('graph')).toBe('next-token');
    expect(modelHeader(onnxModel(randomModel({ cell: 'gru', bidirectional: true }, 2).file)).metadata.get('graph')).toBe('infill');
  });

  it('refuses a model it cannot export with one clear RnnError', () => {
    const errorOf = (f: () => unknown): RnnError => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(RnnError);
        return e as RnnError;
      }
      throw new Error('exported');
    };
    // a variant the engine has no cell for: the minimal GRU has no reset gate to apply after the matmul
    const { file } = randomModel({ cell: 'gru', minimal: true }, 3);
    const both = errorOf(() => onnxModel({ ...file, config: { ...file.config, resetAfter: true } }));
    expect(both.message).toMatch(/cannot export this model to ONNX.*--minimal and --reset-after/);
    expect(both.expected).toBeTruthy();
    expect(both.got).toBeTruthy();
    // params that do not fit the configuration
    const params = { ...file.params };
    delete params['rnn.weight_hh_l1'];
    const missing = errorOf(() => onnxModel({ ...file, params }));
    expect(missing.message).toMatch(/cannot export this model to ONNX/);
    expect(missing.got).toMatch(/missing rnn\.weight_hh_l1/);
    // a vocabulary of another size
    const small = Vocab.fromText('ab', { eos: 'line' });
    expect(errorOf(() => onnxModel({ ...file, vocab: small })).expected).toMatch(/vocabSize/);
    // a layer-normalised LSTM without its gains
    const ln = randomModel({ cell: 'lstm', layerNorm: true }, 4).file;
    const noGains = { ...ln.params };
    delete noGains['rnn.ln_hh_l0'];
    expect(errorOf(() => onnxModel({ ...ln, params: noGains })).got).toMatch(/missing rnn\.ln_hh_l0/);
  });
});

// Every variant, the layer-normalised LSTM as a Scan of its step, the others as ONNX's operators.
describe.skipIf(!ort)('ONNX export run by onnxruntime: left-to-right models', () => {
  const o = ort!;
  variants.forEach((variant, k) => {
    const H = [5, 6, 7][k % 3]!;
    it(`${variant.label} (2×${H}): whole text, one token at a time, and two streams all give rnn's log-probabilities`, async () => {
      const { file, model } = randomModel({ ...variant.over, hidden: H }, 10 + k);
      const session: OrtSession = await o.InferenceSession.create(onnxModel(file));
      const L = file.config.layers, lstm = file.config.cell === 'lstm';
      const stateNames = Array.from({ length: L }, (_, l) => [`h${l}`, ...(lstm ? [`c${l}`] : [])]).flat();
      expect([...session.inputNames].sort()).toEqual(['tokens', ...stateNames].sort());
      expect([...session.outputNames].sort()).toEqual(['log_probs', ...stateNames.map((s) => `${s}_out`)].sort());

      // the whole text at once, from zero states
      const ids = textIds();
      const N = ids.length;
      expect(ids.includes(1)).toBe(true); // the text has an <UNK>
      const ref = rnnLogProbs(model, ids, N, 1);
      const whole = await session.run({ tokens: tokensTensor(o, ids, N, 1), ...zeroStates(o, file, 1) });
      expect(whole.log_probs!.dims).toEqual([N, 1, V]);
      const dWhole = maxDiff(floats(whole.log_probs), ref.lp);
      expect(dWhole).toBeLessThan(TOLERANCE);
      // the final states are rnn's carried state (per layer: h, then c)
      const blocks = lstm ? 2 : 1;
      for (let l = 0; l < L; l++) {
        for (let s = 0; s < blocks; s++) {
          const mine = floats(whole[`${s === 0 ? 'h' : 'c'}${l}_out`]);
          const off = (l * blocks + s) * H;
          expect(maxDiff(mine, Array.from(ref.state).slice(off, off + H))).toBeLessThan(TOLERANCE);
        }
      }

      // one token at a time, the states carried: the same rows
      let states = zeroStates(o, file, 1);
      const stepped = new Float32Array(N * V);
      for (let t = 0; t < N; t++) {
        const out = await session.run({ tokens: tokensTensor(o, ids.subarray(t, t + 1), 1, 1), ...states });
        stepped.set(floats(out.log_probs), t * V);
        states = Object.fromEntries(stateNames.map((s) => [s, out[`${s}_out`]!]));
      }
      const dStep = maxDiff(stepped, ref.lp);
      expect(dStep).toBeLessThan(TOLERANCE);
      expect(maxDiff(stepped, floats(whole.log_probs))).toBeLessThan(TOLERANCE);

      // two streams side by side (B = 2): each is what rnn computes for it
      const two = interleave([ids, otherStream(ids)]);
      const ref2 = rnnLogProbs(model, two, N, 2);
      const out2 = await session.run({ tokens: tokensTensor(o, two, N, 2), ...zeroStates(o, file, 2) });
      expect(out2.log_probs!.dims).toEqual([N, 2, V]);
      const dTwo = maxDiff(floats(out2.log_probs), ref2.lp);
      expect(dTwo).toBeLessThan(TOLERANCE);
      // and stream 0 of the pair is the single stream
      const stream0 = floats(out2.log_probs).filter((_, j) => Math.floor(j / V) % 2 === 0);
      expect(maxDiff(stream0, floats(whole.log_probs))).toBeLessThan(TOLERANCE);
    });
  });
});

describe.skipIf(!ort)('ONNX export run by onnxruntime: other depths, and the assumption behind the minimal GRU', () => {
  const o = ort!;
  for (const [label, over] of [['lstm, 1 layer', { cell: 'lstm', layers: 1 }], ['gru minimal, 3 layers', { cell: 'gru', minimal: true, layers: 3, hidden: 4 }], ['rnn relu, 3 layers', { cell: 'rnn', activation: 'relu', layers: 3 }]] as const) {
    it(`${label}: the whole text gives rnn's log-probabilities`, async () => {
      const { file, model } = randomModel(over, 70);
      const session = await o.InferenceSession.create(onnxModel(file));
      const ids = textIds();
      const out = await session.run({ tokens: tokensTensor(o, ids, ids.length, 1), ...zeroStates(o, file, 1) });
      const d = maxDiff(floats(out.log_probs), rnnLogProbs(model, ids, ids.length, 1).lp);
      expect(d).toBeLessThan(TOLERANCE);
    });
  }

  it(`onnxruntime's logistic function gives exactly 1 at σ(${SATURATED}) (the minimal GRU's reset gate)`, async () => {
    const g = new GraphBuilder();
    const x = g.input('x', DataType.FLOAT, [3], 'x');
    g.output(g.op('Sigmoid', [x], 'y'), DataType.FLOAT, [3], 'σ(x)');
    const bytes = encodeModel({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], producerName: 'test', graph: g.graph('sigmoid', ''), metadataProps: [] });
    const out = await (await o.InferenceSession.create(bytes)).run({ x: new o.Tensor('float32', Float32Array.of(SATURATED, 0, 5), [3]) });
    expect([...floats(out.y)]).toEqual([1, 0.5, expect.any(Number)]);
    expect(floats(out.y)[2]).toBeLessThan(1); // a smaller bias would not do
  });
});

describe.skipIf(!ort)('ONNX export run by onnxruntime: bidirectional (infill) models', () => {
  const o = ort!;
  variants.forEach((variant, k) => {
    const H = [7, 5, 6][k % 3]!;
    it(`${variant.label} (2×${H}, bidirectional): rnn's infill log-probabilities and perplexity`, async () => {
      const { file, model } = randomModel({ ...variant.over, hidden: H, bidirectional: true }, 40 + k);
      if (!hasInfill(model)) throw new Error('not a bidirectional model');
      const session = await o.InferenceSession.create(onnxModel(file));
      expect([...session.inputNames]).toEqual(['tokens']);
      expect([...session.outputNames]).toEqual(['log_probs']);
      /** rnn's infill rows of one stream, as `rnn eval perplexity` reads it. */
      const rnnRows = (ids: Int32Array): Float64Array => {
        const lp = new Float64Array(ids.length * V);
        forEachInfillRow(model, ids, {}, (p, z, off) => lp.set(logSoftmax(z.subarray(off, off + V), 1), p * V));
        return lp;
      };
      const ids = Int32Array.from(vocab.encode(TEXT).ids); // as `rnn eval perplexity` reads a text: <EOS> first
      const N = ids.length;
      const ref = rnnRows(ids);
      const out = await session.run({ tokens: tokensTensor(o, ids, N, 1) });
      expect(out.log_probs!.dims).toEqual([N, 1, V]);
      const lp = floats(out.log_probs);
      const dRows = maxDiff(lp, ref);
      expect(dRows).toBeLessThan(TOLERANCE);
      // the infill perplexity's total: −Σ_{t ≥ 1} log p(ids[t])
      let total = 0;
      for (let t = 1; t < N; t++) total -= lp[t * V + ids[t]!]!;
      const evaluated = evaluate(model, ids, { seqLength: 16 }); // rnn eval perplexity (in blocks, as for a long text)
      expect(Math.abs(total - evaluated.totalNats)).toBeLessThan(TOLERANCE * N);
      expect(Math.abs(total / (N - 1) - evaluated.nats)).toBeLessThan(TOLERANCE);

      // two streams side by side
      const other = otherStream(ids);
      const out2 = await session.run({ tokens: tokensTensor(o, interleave([ids, other]), N, 2) });
      const lp2 = floats(out2.log_probs);
      const ref2 = interleaveRows(ref, rnnRows(other), N);
      const dTwo = maxDiff(lp2, ref2);
      expect(dTwo).toBeLessThan(TOLERANCE);
    });
  });

  it('a sequence of one token (T = 1) works', async () => {
    const { file, model } = randomModel({ cell: 'lstm', bidirectional: true }, 60);
    if (!hasInfill(model)) throw new Error('not a bidirectional model');
    const session = await o.InferenceSession.create(onnxModel(file));
    const ids = Int32Array.of(0);
    const out = await session.run({ tokens: tokensTensor(o, ids, 1, 1) });
    const ref = new Float64Array(V);
    forEachInfillRow(model, ids, {}, (_, z, off) => ref.set(logSoftmax(z.subarray(off, off + V), 1)));
    expect(maxDiff(floats(out.log_probs), ref)).toBeLessThan(TOLERANCE);
  });
});

/** Rows (N, V) of two streams as (N, 2, V). */
function interleaveRows(a: Float64Array, b: Float64Array, N: number): Float64Array {
  const out = new Float64Array(2 * N * V);
  for (let t = 0; t < N; t++) {
    out.set(a.subarray(t * V, (t + 1) * V), (2 * t) * V);
    out.set(b.subarray(t * V, (t + 1) * V), (2 * t + 1) * V);
  }
  return out;
}


describe.skipIf(!ort)('rnn export --format onnx, as a user runs it', () => {
  it('a trained model exported from the command line: onnxruntime gives the nats/char rnn eval perplexity prints', async () => {
    const o = ort!;
    const dir = tempDir();
    writeFileSync(join(dir, 'c.txt'), 'the quick brown fox jumps over the lazy dog\n'.repeat(40));
    writeFileSync(join(dir, 'held.txt'), 'a lazy fox jumps over the brown dog\n');
    expect(rnn(['train', 'c.txt', '--cell', 'gru', '--hidden', '12', '--steps', '30', '--seed', '4', '--quiet'], { cwd: dir }).code).toBe(0);
    const e = rnn(['export', 'c.json', '-o', 'c.onnx'], { cwd: dir });
    expect(e.code, e.stderr).toBe(0);
    expect(e.stderr).toMatch(/^onnx: c\.onnx/m);
    const want = JSON.parse(rnn(['eval', 'perplexity', '--model', 'c.json', 'held.txt', '--json'], { cwd: dir }).stdout) as { nats: number; tokens: number };
    const file = loadModelFile(join(dir, 'c.json'));
    const ids = Int32Array.from(file.vocab.encode(readFileSync(join(dir, 'held.txt'), 'utf8')).ids);
    const session = await o.InferenceSession.create(readFileSync(join(dir, 'c.onnx')));
    const out = await session.run({ tokens: tokensTensor(o, ids, ids.length, 1), ...zeroStates(o, file, 1) });
    const lp = out.log_probs!.data as Float32Array;
    const Vm = file.vocab.size;
    let nats = 0;
    for (let t = 0; t + 1 < ids.length; t++) nats -= lp[t * Vm + ids[t + 1]!]!;
    expect(want.tokens).toBe(ids.length - 1);
    expect(Math.abs(nats / want.tokens - want.nats)).toBeLessThan(1e-5);
  });
});
