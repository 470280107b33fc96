/**
 * `rnn export --format safetensors` and `rnn import`: every cell and variant (and a bidirectional
 * model) goes out and comes back as the same model file, byte for byte; a file the format's
 * own readers would take is what is written; and every kind of bad file is one clear error.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultModelConfig, type ModelConfig } from '../../src/engine/config.ts';
import { createModel } from '../../src/engine/create.ts';
import { referenceKernels } from '../../src/engine/kernels/index.ts';
import { RnnError } from '../../src/errors.ts';
import { modelOfSafetensors, safetensorsOfModel } from '../../src/interop/model-safetensors.ts';
import { decodeSafetensors, encodeSafetensors } from '../../src/interop/safetensors.ts';
import { parseModelFile, serializeModelFile, tensorsOf, type ModelFile } from '../../src/model-io/index.ts';
import { Vocab } from '../../src/tokenizer/vocab.ts';
import { Rng } from '../../src/util/rng.ts';
import { expectCleanError, rnn, tempDir } from '../cli/run.ts';
import { variants } from '../engine/variants.ts';

const vocab = Vocab.fromText('To be, or not to be: that is the question.\nWhether ’tis nobler\n', { eos: 'line' });

/** A model file's text for a configuration: random weights, a training record with a history and a lineage. */
function modelText(over: Partial<ModelConfig>, seed: number): string {
  const config: ModelConfig = { ...defaultModelConfig, hidden: 6, layers: 2, ...over, vocabSize: vocab.size };
  const params = tensorsOf(createModel(config, referenceKernels('f32'), new Rng(seed)).params);
  params['out.bias']!.data[0] = -0; // bytes, not values, survive
  return serializeModelFile({
    config, vocab, params,
    training: {
      corpus: { name: 'hamlet.txt', bytes: 70, chars: 68, sha256: 'ab'.repeat(32) },
      split: { valFraction: 0.05, trainTokens: 60, valTokens: 8, mode: 'tail' },
      lineage: [{ sha256: 'cd'.repeat(32), name: 'base.json', corpus: { name: 'base.txt', sha256: 'ef'.repeat(32) }, steps: 100 }],
      seed, steps: 20, epochs: 1.5, options: { lr: 0.002, optimizer: 'adam' },
      history: [{ step: 20, epoch: 1, trainLoss: 2.5, valLoss: 2.25, lr: 0.002, gradNorm: 0.75, clipRate: 0, charsPerSecond: 1000, seconds: 0.5 }],
      bestValLoss: 2.25,
    },
  });
}

const roundTrip = (text: string): string => serializeModelFile(modelOfSafetensors(safetensorsOfModel(parseModelFile(text)), 'm.safetensors'));

/** The error a file gives on import. */
function importError(bytes: Uint8Array): RnnError {
  try {
    modelOfSafetensors(bytes, 'm.safetensors');
  } catch (e) {
    expect(e).toBeInstanceOf(RnnError);
    return e as RnnError;
  }
  throw new Error('imported a bad file');
}

/** A safetensors file's header and data, to damage. */
function parts(bytes: Uint8Array): { header: Record<string, any>; data: Uint8Array } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8')), data: bytes.subarray(8 + n) };
}
function assemble(header: unknown, data: Uint8Array): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, data]);
}

describe('safetensors, in the library', () => {
  it('every cell and variant, and a bidirectional model: export then import gives the same model file, byte for byte', () => {
    const all = [...variants, { label: 'bidirectional lstm', over: { cell: 'lstm', bidirectional: true } as Partial<ModelConfig> }, { label: 'bidirectional gru minimal', over: { cell: 'gru', minimal: true, bidirectional: true } as Partial<ModelConfig> }];
    all.forEach((v, k) => {
      const text = modelText(v.over, k + 1);
      expect(roundTrip(text) === text, v.label).toBe(true);
    });
  });

  it('the layout the format defines: an 8-byte length, a JSON header padded to 8 bytes, float32 little-endian data in order', () => {
    const bytes = safetensorsOfModel(parseModelFile(modelText({ cell: 'gru' }, 1)));
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const { header, data } = parts(bytes);
    expect(header.__metadata__.format).toBe('rnn-model');
    expect(JSON.parse(header.__metadata__.vocab)).toEqual(vocab.toJSON());
    const w = header['rnn.weight_ih_l0'];
    expect(w).toEqual({ dtype: 'F32', shape: [18, vocab.size], data_offsets: [0, 18 * vocab.size * 4] });
    const file = parseModelFile(modelText({ cell: 'gru' }, 1));
    expect(new DataView(data.buffer, data.byteOffset).getFloat32(4, true)).toBe(file.params['rnn.weight_ih_l0']!.data[1]);
    const last = header['out.bias'];
    expect(last.data_offsets[1]).toBe(data.length);
  });

  it('tensors in another order (as another writer may put them) import in the model\'s order', () => {
    const text = modelText({ cell: 'lstm', peephole: true }, 3);
    const file = parseModelFile(text);
    const reversed = Object.entries(file.params).reverse().map(([name, t]) => ({ name, shape: t.shape, data: t.data }));
    const { header } = parts(safetensorsOfModel(file));
    const bytes = encodeSafetensors(reversed, header.__metadata__);
    expect(serializeModelFile(modelOfSafetensors(bytes, 'm.safetensors')) === text).toBe(true);
  });

  it('bad files: one clear error each', () => {
    const good = safetensorsOfModel(parseModelFile(modelText({ cell: 'lstm' }, 2)));
    const { header, data } = parts(good);
    const edit = (f: (h: Record<string, any>) => void): Uint8Array => {
      const h = structuredClone(header);
      f(h);
      return assemble(h, data);
    };
    const wrongLength = Uint8Array.from(good);
    new DataView(wrongLength.buffer).setBigUint64(0, 1n << 40n, true);
    const cases: [string, Uint8Array, RegExp][] = [
      ['a wrong header length', wrongLength, /header length is wrong/],
      ['too short', good.subarray(0, 5), /too short/],
      ['a header that is not JSON', assemble('x', data).map((b, i) => (i === 8 ? 0x7b : b)), /header is not JSON/],
      ['a truncated body', good.subarray(0, good.length - 10), /runs past the end of the file \(truncated\?\)/],
      ['an unknown tensor name', edit((h) => { h['rnn.weight_xx_l0'] = h['rnn.weight_ih_l0']; delete h['rnn.weight_ih_l0']; }), /do not fit its configuration[^]*missing rnn\.weight_ih_l0; unexpected rnn\.weight_xx_l0/],
      ['a wrong shape', edit((h) => { h['rnn.weight_hh_l0'].shape = [6, 24]; }), /rnn\.weight_hh_l0 is \[6, 24\], expected \[24, 6\]/],
      ['a size that does not match the bytes', edit((h) => { h['out.bias'].shape = [3]; }), /out\.bias has \d+ bytes/],
      ['overlapping tensors', edit((h) => { h['out.bias'].data_offsets = h['out.weight'].data_offsets.map((x: number) => x); h['out.bias'].data_offsets[1] = h['out.bias'].data_offsets[0] + 4 * vocab.size; }), /overlap/],
      ['float16 tensors', edit((h) => { h['out.bias'].dtype = 'F16'; }), /out\.bias is F16/],
      ['no vocabulary', edit((h) => { delete h.__metadata__.vocab; }), /has no vocabulary in its metadata/],
      ['a vocabulary that does not fit', edit((h) => { h.__metadata__.vocab = JSON.stringify({ ...JSON.parse(h.__metadata__.vocab), chars: ['a', 'b'] }); }), /config\.vocabSize/],
      ['a plain PyTorch file (no rnn metadata)', edit((h) => { h.__metadata__ = { format: 'pt' }; }), /not an rnn model[^]*metadata keys format/],
      ['a configuration that is not JSON', edit((h) => { h.__metadata__.config = '{cell:'; }), /__metadata__\.config is not JSON/],
      ['a newer version', edit((h) => { h.__metadata__.version = '2'; }), /unsupported model file version 2/],
    ];
    for (const [what, bytes, message] of cases) {
      const e = importError(bytes);
      expect(`${e.message} (${e.expected}; ${e.got})`, what).toMatch(message);
      expect(e.message, what).toMatch(/m\.safetensors/);
    }
    // a value that is not finite
    const nan = Uint8Array.from(good);
    new DataView(nan.buffer).setFloat32(8 + Number(new DataView(good.buffer).getBigUint64(0, true)), NaN, true);
    const e = importError(nan);
    expect(`${e.message} (${e.expected}; ${e.got})`).toMatch(/rnn\.weight_ih_l0[^]*finite[^]*NaN/);
    // the round trip of the untouched file still works
    expect(decodeSafetensors(good, 'm').tensors['out.bias']!.shape).toEqual([vocab.size]);
  });
});

describe('rnn export / rnn import', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    writeFileSync(join(dir, 'c.txt'), 'To be, or not to be: that is the question.\n'.repeat(60));
    const t = rnn(['train', 'c.txt', '--cell', 'gru', '--hidden', '8', '--steps', '12', '--eval-every', '5', '--seed', '1', '--quiet'], { cwd: dir });
    expect(t.code, t.stderr).toBe(0);
  });

  it('a trained model: export beside it, import to a new file, the same bytes; outputs are never replaced without --force', () => {
    const e = rnn(['export', 'c.json'], { cwd: dir });
    expect(e.code, e.stderr).toBe(0);
    expect(e.stderr).toMatch(/safetensors: c\.safetensors \(\d+ kB\)/);
    const i = rnn(['import', 'c.safetensors', '-o', 'back.json'], { cwd: dir });
    expect(i.code, i.stderr).toBe(0);
    expect(i.stderr).toMatch(/model: back\.json \(gru 1×8|model: back\.json \(gru 2×8/);
    expect(readFileSync(join(dir, 'back.json'), 'utf8') === readFileSync(join(dir, 'c.json'), 'utf8')).toBe(true);
    // the imported model samples what the original samples
    expect(rnn(['sample', 'back.json', '--seed', '3', '-n', '80'], { cwd: dir }).stdout).toBe(rnn(['sample', 'c.json', '--seed', '3', '-n', '80'], { cwd: dir }).stdout);
    for (const args of [['export', 'c.json'], ['import', 'c.safetensors', '-o', 'back.json'], ['import', 'c.safetensors']]) {
      const r = rnn(args, { cwd: dir });
      expectCleanError(r);
      expect(r.stderr, args.join(' ')).toMatch(/exists: not replacing it[^]*--force/);
    }
    expect(rnn(['import', 'c.safetensors', '-o', 'back.json', '--force'], { cwd: dir }).code).toBe(0);
  });

  it('bad input on the command line: one line and a hint', () => {
    writeFileSync(join(dir, 'short.safetensors'), 'abc');
    for (const [args, message] of [
      [['import', 'nosuch.safetensors'], /file not found: nosuch\.safetensors/],
      [['import', 'c.txt', '-o', 'x.json'], /c\.txt is not a valid safetensors file/],
      [['import', 'short.safetensors', '-o', 'y.json'], /too short/],
      [['export', 'c.json', '--format', 'tflite', '-o', 'z.bin'], /unknown export format: tflite/],
      [['export', 'nosuch.json'], /model file not found/],
      [['export', 'c.json', '-o', 'nodir/c.safetensors'], /cannot write --output/],
    ] as [string[], RegExp][]) {
      const r = rnn(args, { cwd: dir });
      expectCleanError(r);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });
});
