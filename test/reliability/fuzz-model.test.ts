/**
 * Attack 1a: hostile model files. A real tiny model is trained once; ≥ 1,000 seeded mutations of it
 * (structural and byte-level) go through loadModel (read → parse → validate → build → load
 * params), and a sample of them through the binary. Every one must load (and then work) or fail
 * with one RnnError of one line — never another exception, a hang or a giant allocation.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/api/load.ts';
import { referenceKernels } from '../../src/engine/kernels/index.ts';
import { createModel } from '../../src/engine/create.ts';
import { loadModelFile, loadParamsInto, parseModelFile } from '../../src/model-io/index.ts';
import { Rng } from '../../src/util/rng.ts';
import { sample } from '../../src/sample/sample.ts';
import { expectRnnErrorOrOk, Fuzz, isCleanError, pool, spawnRnn, tempDir, trainTiny } from './helpers.ts';

type Json = Record<string, unknown>;

const f32b64 = (values: number[]) => Buffer.from(new Float32Array(values).buffer).toString('base64');

/** Hostile values a field may be replaced with. */
function hostileValue(f: Fuzz): unknown {
  const deep = (n: number): unknown => {
    let v: unknown = 1;
    for (let i = 0; i < n; i++) v = [v];
    return v;
  };
  return f.pick<() => unknown>([
    () => null, () => -1, () => 0, () => 1.5, () => 1e308, () => -1e308, () => 2 ** 53, () => 2 ** 31, () => 65_536,
    () => 'NaN', () => 'Infinity', () => '', () => 'x'.repeat(100_000), () => '\ud800', () => [], () => {}, () => ({}),
    () => true, () => deep(50), () => [1e9, 1e9], () => ({ shape: [1e9], dtype: 'float32', data: '' }),
    () => ({ shape: [2], dtype: 'float32', data: f32b64([NaN, 1]) }), () => ({ shape: [1], dtype: 'float64', data: 'AAAAAAAA8H8=' }),
    () => Array.from({ length: 1000 }, (_, k) => k),
  ])();
}

/** Every path to a value inside `v` (objects and arrays), capped. */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (out.length > 5000) return out;
  out.push(prefix);
  if (Array.isArray(v)) v.slice(0, 80).forEach((x, k) => paths(x, [...prefix, k], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

function setAt(root: Json, path: (string | number)[], value: unknown): void {
  let o = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (value === undefined) delete o[last];
  else o[last] = value;
}

/** One structural mutation of the parsed file, as text. */
function structural(base: Json, f: Fuzz): string {
  const j = structuredClone(base) as Json;
  const config = j.config as Json;
  const params = j.params as Record<string, Json>;
  const names = Object.keys(params);
  const vocab = j.vocab as Json;
  const kind = f.int(16);
  switch (kind) {
    case 0: { // any field anywhere → a hostile value, or removed
      const all = paths(j).filter((p) => p.length > 0);
      setAt(j, f.pick(all), f.chance(0.2) ? undefined : hostileValue(f));
      break;
    }
    case 1: // huge declared sizes in the configuration (the params stay small)
      config[f.pick(['hidden', 'layers', 'vocabSize'])] = f.pick([65_536, 4_096, 8_000, 256, 2 ** 31, 1e12, 3]);
      break;
    case 2: { // wrong shapes
      const p = params[f.pick(names)];
      const shape = p.shape as number[];
      p.shape = f.pick([[...shape].reverse(), [shape[0] + 1, ...shape.slice(1)], [1e9, 1e9], [2 ** 28, 2], [0], [-1], [1.5], ['8'], [], Array(9).fill(1), shape.length === 1 ? [shape[0], 1] : [shape[0] * shape[1]]]);
      break;
    }
    case 3: { // NaN / Inf weights of the right length
      const p = params[f.pick(names)];
      const n = (p.shape as number[]).reduce((a, b) => a * b, 1);
      const data = new Float32Array(n).fill(0.1);
      data[f.int(n)] = f.pick([NaN, Infinity, -Infinity]);
      p.data = Buffer.from(data.buffer).toString('base64');
      break;
    }
    case 4: { // data of the wrong length, or not base64
      const p = params[f.pick(names)];
      const d = p.data as string;
      p.data = f.pick([d.slice(0, -4), d + 'AAAA', d.slice(0, d.length - 1), d.replace(/[A-Z]/, '*'), '', '====', d + d]);
      break;
    }
    case 5: // a param renamed, removed or added
      if (f.chance(0.5)) {
        const n = f.pick(names);
        params[n + 'x'] = params[n];
        delete params[n];
      } else if (f.chance(0.5)) delete params[f.pick(names)];
      else params[f.pick(['extra', '', 'out.weight2'])] = { shape: [2], dtype: 'float32', data: f32b64([1, 2]) };
      break;
    case 6: { // wrong vocabulary
      const chars = vocab.chars as string[];
      vocab.chars = f.pick([
        chars.slice(1), [...chars, '\u{10FFFF}'], [chars[1], chars[0], ...chars.slice(2)], [...chars.slice(0, -1), chars[0]],
        chars.map((c, k) => (k === 3 ? 'ab' : c)), chars.map((c, k) => (k === 3 ? '\ud800' : c)), ['\n', ...chars],
        chars.map((c, k) => (k === 3 ? '' : c)), chars.map((c, k) => (k === 3 ? 7 : c)),
      ]);
      if (f.chance(0.5)) config.vocabSize = (vocab.chars as unknown[]).length + 2;
      break;
    }
    case 7: // reserved ids / eos mode
      if (f.chance(0.5)) vocab.reserved = f.pick([['<UNK>', '<EOS>'], ['<EOS>'], [], 'x']);
      else vocab.eos = f.pick(['lines', null, 'none', 'paragraph', 3]);
      break;
    case 8: // the format and version
      if (f.chance(0.5)) j.format = f.pick(['rnn', 'RNN-MODEL', null, 1]);
      else j.version = f.pick([0, 2, 999, -1, 1.5, '1', null, 2 ** 60]);
      break;
    case 9: // training provenance
      setAt(j, f.pick([['training', 'history'], ['training', 'corpus', 'sha256'], ['training', 'seed'], ['training', 'split'], ['training', 'options'], ['training', 'bestValLoss']]), hostileValue(f));
      break;
    case 10: // checkpoint section with garbage
      j.checkpoint = f.pick([null, 1, {}, { json: 1 }, { json: {}, tensors: { a: hostileValue(f) } }, { json: {}, tensors: [] }]);
      break;
    case 11: // cell/variant changes that change the parameter set
      config[f.pick(['cell', 'peephole', 'coupled', 'minimal', 'resetAfter', 'bidirectional', 'activation', 'dropout'])] =
        f.pick(['gru', 'rnn', true, false, 'relu', 0.99, 1, -0.1, 'lstm']);
      break;
    case 12: // many params (allocation by count)
      for (let k = 0; k < 2000; k++) params[`p${k}`] = { shape: [1], dtype: 'float32', data: f32b64([k]) };
      break;
    case 13: // a huge vocabulary array
      vocab.chars = Array.from({ length: f.pick([3_000, 70_000]) }, (_, k) => String.fromCodePoint(0x4e00 + (k % 20000)));
      break;
    case 14: { // config and params of a bigger model, consistent with each other but not with the vocab
      config.hidden = 16;
      break;
    }
    default: { // unknown fields
      const o = f.pick([j, config, vocab, j.training as Json]);
      o[f.pick(['extra', 'hidden2', 'constructor_', 'toString'])] = hostileValue(f);
    }
  }
  return JSON.stringify(j);
}

/** One text-level mutation: forbidden keys, nesting, duplicate keys, odd encodings. */
function textual(text: string, f: Fuzz): string | Buffer {
  const opens = [...text.matchAll(/\{/g)].map((m) => m.index!);
  const at = f.pick(opens) + 1;
  switch (f.int(9)) {
    case 0: return text.slice(0, at) + `"${f.pick(['__proto__', 'constructor', 'prototype'])}":{"polluted":true},` + text.slice(at);
    case 1: return text.slice(0, at) + '"x":' + '['.repeat(f.pick([65, 1000, 100_000])) + ']'.repeat(f.pick([0, 65, 1000])) + ',' + text.slice(at);
    case 2: return text.replace('"config":', '"config":{"cell":"gru"},"config":'); // duplicate key: the last wins
    case 3: return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    case 4: return Buffer.from(text, 'utf16le');
    case 5: return f.pick(['', ' ', 'null', '[]', '{}', '"rnn-model"', '1e999', '{"format":"rnn-model","version":1}', '\u0000'.repeat(100)]);
    case 6: return text.replace(/"hidden":\d+/, `"hidden":${f.pick(['8.0', '8e0', '08', '-8', '8e400'])}`);
    case 7: return text + f.pick(['x', '}', '{}', '\n\n', '\u0000']);
    default: return '['.repeat(f.pick([70, 10_000, 1_000_000]));
  }
}

/** One byte-level mutation: truncation, flips, insertions, deletions, random garbage. */
function bytewise(bytes: Buffer, f: Fuzz): Buffer {
  const b = Buffer.from(bytes);
  switch (f.int(5)) {
    case 0: return b.subarray(0, f.int(b.length));
    case 1: {
      const n = 1 + f.int(20);
      for (let k = 0; k < n; k++) b[f.int(b.length)] ^= 1 << f.int(8);
      return b;
    }
    case 2: {
      const n = 1 + f.int(8);
      for (let k = 0; k < n; k++) b[f.int(b.length)] = f.int(256);
      return b;
    }
    case 3: {
      const at = f.int(b.length);
      return f.chance(0.5) ? Buffer.concat([b.subarray(0, at), f.bytes(1 + f.int(16)), b.subarray(at)]) : Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + f.int(16))]);
    }
    default: return f.bytes(f.int(4096));
  }
}

describe('hostile model files', () => {
  let base: Buffer;
  let json: Json;
  let dir: string;

  beforeAll(() => {
    const t = trainTiny();
    base = readFileSync(t.model);
    json = JSON.parse(base.toString('utf8'));
    dir = tempDir();
  });

  it('the unmutated model loads (the fuzz starts from a good file)', async () => {
    const loaded = await loadModel(writeTo(dir, 'good.json', base));
    expect(loaded.model.config.hidden).toBe(8);
    loaded.close();
  });

  it('1,000 mutated, truncated and hostile files: each loads and works, or is one clean RnnError', async () => {
    const f = new Fuzz(20_261_122);
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const outcome = { ok: 0, error: 0 };
    const path = join(dir, 'fuzz.json');
    const kernels = referenceKernels('f32');
    for (let k = 0; k < 1000; k++) {
      const family = k % 3;
      const data = family === 0 ? structural(json, f) : family === 1 ? textual(base.toString('utf8'), f) : bytewise(base, f);
      writeFileSync(path, data);
      // Every 10th case through the library's loadModel (the CLI's path, with the fast kernels);
      // the rest through its parts: read + validate, build the model, load its params.
      const r = await expectRnnErrorOrOk(async () => {
        let model, vocab, close = () => {};
        if (k % 10 === 0) {
          const loaded = await loadModel(path);
          ({ model, vocab, close } = loaded);
        } else {
          const file = loadModelFile(path);
          model = createModel(file.config, kernels, new Rng(0));
          loadParamsInto(file.params, model.params, path);
          vocab = file.vocab;
        }
        try {
          for (const p of model.params) for (const x of p.data) if (!Number.isFinite(x)) throw new Error(`case ${k}: non-finite weight loaded`);
          sample(model, vocab, { length: 5, seed: 1 }); // a loaded model must work
        } finally {
          close();
        }
      }, `case ${k} (family ${family})`);
      outcome[r]++;
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    // Mostly errors; the odd benign mutation (a flipped bit inside a weight) loads.
    expect(outcome.error).toBeGreaterThan(750);
    // Never a giant allocation: the whole run stays within a few hundred MB of where it started.
    expect((peak - rss0) / 2 ** 20).toBeLessThan(400);
  });

  it('parseModelFile: 1,000 random truncations are each reported as truncated or invalid, in one line', () => {
    const f = new Fuzz(7);
    const text = base.toString('utf8');
    for (let k = 0; k < 1000; k++) {
      const cut = f.int(text.length);
      try {
        parseModelFile(text.slice(0, cut), 'm.json');
        throw new Error(`a cut at ${cut} parsed`);
      } catch (e) {
        expect((e as Error).name, `cut at ${cut}: ${(e as Error).message}`).toBe('RnnError');
        expect((e as Error).message).not.toContain('\n');
        if (cut > 1) expect((e as Error).message).toMatch(/truncated|invalid|not valid/);
      }
    }
  });

  it('a vocabulary of 1.2 million characters (more than Unicode has) is refused in one line', async () => {
    const j = structuredClone(json);
    (j.vocab as Json).chars = Array.from({ length: 1_200_000 }, (_, k) => String.fromCodePoint(0x4e00 + (k % 20000)));
    await expect(loadModel(writeTo(dir, 'wide.json', JSON.stringify(j)))).rejects.toThrow(/vocab/);
  });

  it('a config declaring a huge model with small params is refused before anything is allocated', async () => {
    const rss0 = process.memoryUsage().rss;
    for (const [hidden, layers] of [[8000, 1], [65_536, 1], [4096, 256], [1024, 64]]) {
      const j = structuredClone(json);
      (j.config as Json).hidden = hidden;
      (j.config as Json).layers = layers;
      const p = writeTo(dir, `huge-${hidden}-${layers}.json`, JSON.stringify(j));
      await expect(loadModel(p)).rejects.toThrow(/params|parameters|config/);
      expect((process.memoryUsage().rss - rss0) / 2 ** 20).toBeLessThan(200);
    }
  });

  it('a sample of hostile files through the binary: exit 0 or a clean one-line error (info and sample)', async () => {
    const f = new Fuzz(99);
    const jobs: (() => Promise<void>)[] = [];
    for (let k = 0; k < 12; k++) {
      const family = k % 3;
      const data = family === 0 ? structural(json, f) : family === 1 ? textual(base.toString('utf8'), f) : bytewise(base, f);
      const name = `bin-${k}.json`;
      writeTo(dir, name, data);
      const cmd = k % 2 === 0 ? ['info', '--model', name] : ['sample', '--model', name, '--length', '5', '--seed', '1'];
      jobs.push(async () => {
        const r = await spawnRnn(cmd, { cwd: dir }).exited;
        if (r.code !== 0) expect(isCleanError(r), `${cmd.join(' ')} (family ${family}):\n${r.stderr}`).toBe(true);
        if (r.code !== 0) expect(r.code).toBe(1);
        expect(r.stderr.split('\n').filter((l) => l.startsWith('error:')).length).toBeLessThanOrEqual(1);
      });
    }
    await pool(jobs, 2);
  });
});

function writeTo(dir: string, name: string, data: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}
