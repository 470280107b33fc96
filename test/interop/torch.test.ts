import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateFiles } from '../../src/api/evaluate.ts';
import { exportModel, importModel } from '../../src/api/interop.ts';
import { loadModel } from '../../src/api/load.ts';
import { decodeSafetensors } from '../../src/interop/safetensors.ts';
import { saveModelFile } from '../../src/model-io/index.ts';
import { Vocab, type VocabJSON } from '../../src/tokenizer/vocab.ts';
import { BIN, tempDir } from '../cli/run.ts';

/**
 * python/rnn_torch.py and python/train_ddp.py against rnn itself, for every cell and variant:
 * rnn train → rnn export → rnn_torch.load → nats_per_char = rnn eval perplexity; rnn_torch.save →
 * rnn import → rnn eval; train_ddp.py on 2 gloo ranks → rnn import → rnn sample / eval.
 * Needs /usr/bin/python3 with torch; skipped (with a message) without it.
 */
const PYTHON = '/usr/bin/python3';
const PY_DIR = resolve(__dirname, '../../python');
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
if (!hasTorch) console.warn(`test/interop/torch.test.ts skipped: \`${PYTHON} -c "import torch"\` fails (install python3-torch to run it)`);

const run = promisify(execFile);
const ENV = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', OMP_NUM_THREADS: '1' };

async function rnn(args: string[], cwd: string): Promise<string> {
  const r = await run(process.execPath, [BIN, ...args], { cwd, env: ENV, maxBuffer: 1 << 24 });
  return r.stdout;
}

/** What `rnn eval perplexity --model <model> <text>` prints as nats/char, computed in-process (the CLI's own path is tested elsewhere). */
async function natsOf(model: string, text: string, cwd: string): Promise<number> {
  const loaded = await loadModel(join(cwd, model), { threads: 1 });
  try {
    return (await evaluateFiles(loaded, [join(cwd, text)])).nats;
  } finally {
    loaded.close();
  }
}

/** `rnn export m.json -o m.safetensors`, in-process. */
function exportTo(model: string, out: string, cwd: string): void {
  writeFileSync(join(cwd, out), exportModel(join(cwd, model), 'safetensors'));
}

/** `rnn import m.safetensors -o m.json`, in-process. */
function importTo(file: string, out: string, cwd: string): void {
  saveModelFile(join(cwd, out), importModel(join(cwd, file)));
}

/** f over the items, at most `n` at a time (the machine has two cores). */
async function pool<T, R>(items: T[], n: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const k = next++;
      out[k] = await f(items[k]);
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
  return out;
}

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}

/** Every cell and variant, with the rnn modules rnn_torch is expected to use for it. */
const VARIANTS: { name: string; flags: string[]; module: string; noise?: number }[] = [
  { name: 'rnn-tanh', flags: ['--cell', 'rnn'], module: 'CharLM/RNN' },
  { name: 'rnn-relu', flags: ['--cell', 'rnn', '--activation', 'relu', '--eos', 'none'], module: 'CharLM/RNN', noise: 0.2 },
  { name: 'lstm', flags: ['--cell', 'lstm', '--no-layer-norm'], module: 'CharLM/LSTM' },
  { name: 'lstm-peephole', flags: ['--cell', 'lstm', '--peephole'], module: 'CharLM/LSTMStack' },
  { name: 'lstm-coupled', flags: ['--cell', 'lstm', '--coupled'], module: 'CharLM/LSTMStack' },
  { name: 'lstm-layer-norm', flags: ['--cell', 'lstm', '--layer-norm'], module: 'CharLM/LNLSTMStack' },
  { name: 'lstm-peephole-coupled', flags: ['--cell', 'lstm', '--peephole', '--coupled', '--eos', 'paragraph'], module: 'CharLM/LSTMStack' },
  { name: 'gru', flags: ['--cell', 'gru'], module: 'CharLM/GRUStack' },
  { name: 'gru-reset-after', flags: ['--cell', 'gru', '--reset-after'], module: 'CharLM/GRU' },
  { name: 'gru-minimal', flags: ['--cell', 'gru', '--minimal', '--eos', 'paragraph'], module: 'CharLM/GRUStack' },
  { name: 'bidirectional-lstm', flags: ['--cell', 'lstm', '--no-layer-norm', '--bidirectional'], module: 'InfillLM/LSTM' },
  { name: 'bidirectional-lstm-layer-norm', flags: ['--cell', 'lstm', '--bidirectional'], module: 'InfillLM/LNLSTMStack' },
  { name: 'bidirectional-gru', flags: ['--cell', 'gru', '--bidirectional', '--eos', 'paragraph'], module: 'InfillLM/GRUStack' },
];
const TRAIN = ['--hidden', '8', '--layers', '2', '--steps', '12', '--seq-length', '16', '--batch-size', '8', '--lr', '0.03', '--seed', '3', '--threads', '1', '--quiet'];
/** Texts for the tokenizer: separators in every arrangement, an astral character, unknown ones. */
const TEXTS = ['a\n\n\nb\n', 'x🙂y\n\n', '\n\nab\n\n\n\n', 'é ☃ 🙂🙂', '', '\n', 'no newline'];

interface DdpTraining {
  corpus: { sha256: string };
  split: { valTokens: number };
  steps: number;
  history: { step: number }[];
  bestValLoss: number;
}
interface PyModel { module: string; nats: number; perturbedNats: number }
interface PyOut { models: Record<string, PyModel>; encoded: Record<string, number[][]>; encodedEnd: Record<string, number[][]>; decoded: Record<string, string[]> }

describe.skipIf(!hasTorch)('PyTorch interop: python/rnn_torch.py and python/train_ddp.py', () => {
  let dir: string;
  let py: PyOut;
  const rnnNats: Record<string, number> = {};
  const importedNats: Record<string, number> = {};
  const bareNats: Record<string, number> = {};
  let vocabs: Record<string, VocabJSON>;
  let ddp: { stdout: string; stderr: string; sample: string; valEval: { nats: number; tokens: number }; heldNats: number; info: { training: DdpTraining; vocab: VocabJSON } };

  beforeAll(async () => {
    dir = tempDir();
    const shakespeare = readFileSync(resolve(__dirname, '../../corpora/tinyshakespeare.txt'), 'utf8');
    // é and an astral character (one code point, two UTF-16 units) in the vocabulary
    writeFileSync(join(dir, 'corpus.txt'), shakespeare.slice(0, 15_000).replaceAll('the', 'thé').replaceAll('And', 'And 🙂'));
    // the held-out text as a Windows editor saves it: a byte-order mark, CRLF; ☃ is not in the vocabulary
    const held = shakespeare.slice(200_000, 201_500).replaceAll('the', 'thé').replaceAll('\n', '\r\n') + ' 🙂 ☃ x';
    writeFileSync(join(dir, 'held.txt'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(held, 'utf8')]));

    // train_ddp.py: 2 gloo ranks, started as torchrun starts them (RANK, WORLD_SIZE, MASTER_*), alongside the rest
    const ddpRun = (async () => {
      const port = String(await freePort());
      const ranks = [0, 1].map((rank) => run(PYTHON, [join(PY_DIR, 'train_ddp.py'), 'corpus.txt', '--hidden', '16', '--steps', '20', '--eval-every', '10',
        '--batch-size', '8', '--seq-length', '32', '--seed', '5', '-o', 'ddp.safetensors'], {
        cwd: dir, env: { ...ENV, RANK: String(rank), LOCAL_RANK: String(rank), WORLD_SIZE: '2', MASTER_ADDR: '127.0.0.1', MASTER_PORT: port },
      }));
      const [r0, r1] = await Promise.all(ranks);
      expect(r1.stdout).toBe(''); // rank 0 alone reports and saves
      await rnn(['import', 'ddp.safetensors', '-o', 'ddp.json'], dir);
      const sample = await rnn(['sample', 'ddp.json', '--seed', '1', '--length', '200'], dir);
      const valEval = JSON.parse(await rnn(['eval', 'perplexity', '--model', 'ddp.json', '--json'], dir)); // its validation split
      const heldNats = JSON.parse(await rnn(['eval', 'perplexity', '--model', 'ddp.json', 'held.txt', '--json'], dir)).nats as number;
      const info = JSON.parse(readFileSync(join(dir, 'ddp.json'), 'utf8'));
      return { stdout: r0.stdout, stderr: r0.stderr, sample, valEval, heldNats, info };
    })();

    // rnn train → rnn export → rnn eval, every variant
    await pool(VARIANTS, 2, async (v) => {
      await rnn(['train', 'corpus.txt', ...v.flags, ...TRAIN, '-o', `${v.name}.json`], dir);
      exportTo(`${v.name}.json`, `${v.name}.safetensors`, dir);
      rnnNats[v.name] = await natsOf(`${v.name}.json`, 'held.txt', dir);
    });
    vocabs = {};
    for (const [name, eos] of [['lstm', 'line'], ['rnn-relu', 'none'], ['gru-minimal', 'paragraph']]) {
      vocabs[eos] = (JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as { vocab: VocabJSON }).vocab;
    }

    // one python process for every model
    const job = {
      python: PY_DIR, held: join(dir, 'held.txt'), texts: TEXTS, vocabs,
      models: VARIANTS.map((v) => ({ name: v.name, path: join(dir, `${v.name}.safetensors`), noise: v.noise ?? 0.5,
        kept: join(dir, `${v.name}.kept.safetensors`), bare: join(dir, `${v.name}.bare.safetensors`), perturbed: join(dir, `${v.name}.perturbed.safetensors`) })),
    };
    const r = spawnSync(PYTHON, [join(__dirname, 'torch_check.py')], { input: JSON.stringify(job), encoding: 'utf8', env: ENV, maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`torch_check.py failed:\n${r.stderr}`);
    py = JSON.parse(r.stdout) as PyOut;

    // rnn_torch.save → rnn import → rnn eval: the perturbed models (all), the bare records (a few)
    await pool(VARIANTS, 2, async (v) => {
      importTo(`${v.name}.perturbed.safetensors`, `${v.name}.perturbed.json`, dir);
      importedNats[v.name] = await natsOf(`${v.name}.perturbed.json`, 'held.txt', dir);
    });
    await pool(['lstm-peephole', 'gru-minimal', 'bidirectional-gru'], 2, async (name) => {
      importTo(`${name}.bare.safetensors`, `${name}.bare.json`, dir);
      bareNats[name] = await natsOf(`${name}.bare.json`, 'held.txt', dir);
    });
    ddp = await ddpRun;
  }, 180_000);

  it('loads every variant into the expected torch module', () => {
    for (const v of VARIANTS) expect(py.models[v.name].module, v.name).toBe(v.module);
  });

  it('nats_per_char equals rnn eval perplexity for every variant, to 1e-5', () => {
    const deltas: Record<string, number> = {};
    for (const v of VARIANTS) {
      deltas[v.name] = Math.abs(py.models[v.name].nats - rnnNats[v.name]);
      expect(Number.isFinite(rnnNats[v.name])).toBe(true);
    }
    console.log('max |Δ nats/char| rnn_torch vs rnn eval:', JSON.stringify(deltas));
    for (const v of VARIANTS) expect(deltas[v.name], v.name).toBeLessThan(1e-5);
  });

  it('rnn_torch.save → rnn import → rnn eval gives the figure torch computed (perturbed weights)', () => {
    console.log('|Δ nats/char| perturbed, rnn_torch vs rnn import + eval:', JSON.stringify(Object.fromEntries(VARIANTS.map((v) => [v.name, Math.abs(importedNats[v.name] - py.models[v.name].perturbedNats)]))));
    for (const v of VARIANTS) {
      // the perturbation changed the model: the comparison is not of the exported weights again
      expect(Math.abs(py.models[v.name].perturbedNats - py.models[v.name].nats), v.name).toBeGreaterThan(1e-3);
      expect(Math.abs(importedNats[v.name] - py.models[v.name].perturbedNats), v.name).toBeLessThan(1e-5);
    }
  });

  it('save with the loaded training record writes back what rnn export wrote', () => {
    for (const v of VARIANTS) {
      const a = decodeSafetensors(readFileSync(join(dir, `${v.name}.safetensors`)), 'exported');
      const b = decodeSafetensors(readFileSync(join(dir, `${v.name}.kept.safetensors`)), 'saved');
      expect(Object.keys(b.tensors), v.name).toEqual(Object.keys(a.tensors)); // rnn's names, rnn's order
      for (const [name, t] of Object.entries(a.tensors)) {
        expect(b.tensors[name].shape).toEqual(t.shape);
        expect(Buffer.from(b.tensors[name].data.buffer).equals(Buffer.from(t.data.buffer)), `${v.name} ${name}`).toBe(true);
      }
      for (const k of ['format', 'version']) expect(b.metadata[k]).toBe(a.metadata[k]);
      for (const k of ['config', 'vocab', 'training']) expect(JSON.parse(b.metadata[k]), `${v.name} ${k}`).toEqual(JSON.parse(a.metadata[k]));
    }
  });

  it('save with training=None writes a minimal record that rnn import takes; the model is unchanged', () => {
    for (const name of Object.keys(bareNats)) {
      expect(Math.abs(bareNats[name] - rnnNats[name]), name).toBeLessThan(1e-9);
      const meta = decodeSafetensors(readFileSync(join(dir, `${name}.bare.safetensors`)), 'bare').metadata;
      const t = JSON.parse(meta.training);
      expect(t.steps).toBe(0);
      expect(t.history).toEqual([]);
    }
  });

  it('encode and decode are rnn tokenizer’s, in every --eos mode', () => {
    for (const [eos, json] of Object.entries(vocabs)) {
      const vocab = Vocab.fromJSON(json);
      TEXTS.forEach((text, k) => {
        expect(py.encoded[eos][k], `${eos} ${JSON.stringify(text)}`).toEqual([...vocab.encode(text).ids]);
        expect(py.encodedEnd[eos][k], `${eos} end ${JSON.stringify(text)}`).toEqual([...vocab.encode(text, { start: false, end: true }).ids]);
        expect(py.decoded[eos][k]).toBe(vocab.decode(vocab.encode(text, { start: false }).ids));
      });
    }
    // 🙂 is one token, not two UTF-16 units
    expect(py.encoded.line[3].length).toBe(1 + [...TEXTS[3]].length);
  });

  it('train_ddp.py on 2 gloo ranks writes a model that rnn imports, samples and evaluates', () => {
    const m = /best validation loss (\d+\.\d+) nats\/char/.exec(ddp.stdout);
    expect(m, ddp.stdout + ddp.stderr).not.toBeNull();
    const reported = Number(m![1]);
    expect(ddp.stdout).toMatch(/2 ranks × 4 streams × 32 steps/);
    expect(ddp.sample.length).toBeGreaterThan(150);
    // rnn re-reads the corpus (same SHA-256), splits it as the script did, and measures the same figure
    expect(ddp.valEval.nats).toBeGreaterThan(0);
    expect(Math.abs(ddp.valEval.nats - reported)).toBeLessThan(1e-5);
    expect(Number.isFinite(ddp.heldNats)).toBe(true);
    const t = ddp.info.training;
    expect(ddp.valEval.tokens).toBe(t.split.valTokens);
    expect(t.corpus.sha256).toBe(createHash('sha256').update(readFileSync(join(dir, 'corpus.txt'))).digest('hex'));
    expect(t.steps).toBe(20);
    expect(t.history.map((e) => e.step)).toEqual([10, 20]);
    expect(t.bestValLoss).toBeCloseTo(reported, 5);
    // the vocabulary rnn train builds from the same corpus
    expect(ddp.info.vocab).toEqual(vocabs.line);
  });
});
