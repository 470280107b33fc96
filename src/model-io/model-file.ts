/**
 * The model file, one JSON document, version 1:
 *   { format: "rnn-model", version: 1, config, vocab, training, params, checkpoint? }
 * params: { name: {shape, dtype: "float32", data: base64 little-endian} }, in the model's order.
 * checkpoint (checkpoint files only): { json: opaque JSON, tensors: { name: {shape, dtype
 * float32|float64, data} } } — the trainer validates its own contents.
 * Loading validates every field and throws one RnnError naming the file and the field.
 */
import { readFileSync, statSync } from 'node:fs';
import { describeCell, type ModelConfig } from '../engine/config.js';
import { RnnError } from '../errors.js';
import { Vocab } from '../tokenizer/vocab.js';
import { writeFileAtomic } from './atomic.js';
import { MODEL_OPTIONS, TRAIN_OPTIONS } from '../options.js';
import { integer, isObject, key, number, object, oneOf, optionField, problem, string } from './problem.js';
import { parseJsonSafely } from './safe-json.js';
import { decodeTensor, encodeTensors, type Tensor, type TensorData } from './tensor.js';

export { checkParams, loadParamsInto } from './params.js';

export const FORMAT = 'rnn-model';
export const VERSION = 1;
/** Larger files are refused before reading (a JS string cannot hold much more). */
export const MAX_FILE_BYTES = 500_000_000;

/**
 * One evaluation of the run: the losses, and how training went since the previous entry. Only
 * `seconds` and `charsPerSecond` depend on the machine; the rest is the same for the same seed and
 * options, however long the run took or whether it was resumed. Files written before a field
 * existed read it as null.
 */
export interface HistoryEntry {
  step: number;
  /** Epochs completed at this step. */
  epoch: number;
  /** Mean training loss since the previous entry; null when no step was taken in between. */
  trainLoss: number | null;
  /** null when there is no validation split. */
  valLoss: number | null;
  /** Learning rate of the last step. */
  lr: number | null;
  /** Mean global gradient norm ‖g‖ (before clipping) since the previous entry. */
  gradNorm: number | null;
  /** Share of the steps since the previous entry on which clipping fired. */
  clipRate: number | null;
  /** Training characters per second of step time since the previous entry (machine-dependent). */
  charsPerSecond: number | null;
  /** Seconds the run had trained at this step, resumes included (machine-dependent). */
  seconds: number | null;
}

/** The history fields that depend on the machine, not on the seed and options. */
export const TIMING_FIELDS = ['charsPerSecond', 'seconds'] as const;

/** A history entry read from a file (the model's, or a checkpoint's trainer state); `f` names it in errors. */
export function validateHistoryEntry(h: unknown, f: string): HistoryEntry {
  const e = object(h, f);
  const optional = (k: string, max = Infinity): number | null => (e[k] === undefined || e[k] === null ? null : number(e[k], `${f}.${k}`, 0, max));
  return {
    step: integer(e.step, `${f}.step`),
    epoch: integer(e.epoch, `${f}.epoch`),
    trainLoss: e.trainLoss === null ? null : number(e.trainLoss, `${f}.trainLoss`, 0),
    valLoss: e.valLoss === null ? null : number(e.valLoss, `${f}.valLoss`, 0),
    lr: optional('lr'),
    gradNorm: optional('gradNorm'),
    clipRate: optional('clipRate', 1),
    charsPerSecond: optional('charsPerSecond'),
    seconds: optional('seconds'),
  };
}

/** A model this one was fine-tuned from (--init-from): its file's SHA-256, name, corpus and steps. */
export interface LineageEntry {
  sha256: string;
  name: string;
  corpus: { name: string; sha256: string };
  steps: number;
}

export interface TrainingInfo {
  corpus: { name: string; bytes: number; chars: number; sha256: string };
  /** mode: the held-out text is the corpus's tail, or lines chosen by the seed (absent: tail). */
  split: { valFraction: number; trainTokens: number; valTokens: number; mode?: 'tail' | 'random' };
  /** The models this one was fine-tuned from, the nearest first (absent: trained from scratch). */
  lineage?: LineageEntry[];
  seed: number;
  steps: number;
  epochs: number;
  /** The training options, as JSON. */
  options: Record<string, unknown>;
  history: HistoryEntry[];
  bestValLoss: number | null;
}

export interface Checkpoint {
  json: unknown;
  tensors: Record<string, Tensor<TensorData>>;
}

export interface ModelFile {
  format: typeof FORMAT;
  version: typeof VERSION;
  config: ModelConfig;
  vocab: Vocab;
  params: Record<string, Tensor>;
  training: TrainingInfo;
  checkpoint?: Checkpoint;
}

/** One line about a model: "lstm 2×192, 300 steps on book.txt, best validation loss 2.6300 nats/char". */
export function summarizeModel(file: Pick<ModelFile, 'config' | 'training'>): string {
  const c = file.config, t = file.training;
  const best = t.bestValLoss === null ? 'no validation loss' : `best validation loss ${t.bestValLoss.toFixed(4)} nats/char`;
  return `${describeCell(c)} ${c.layers}×${c.hidden}, ${t.steps} steps on ${t.corpus.name}, ${best}`;
}

/** What saveModelFile takes: format and version are filled in. */
export type ModelFileInit = Omit<ModelFile, 'format' | 'version'> & Partial<Pick<ModelFile, 'format' | 'version'>>;

/** Tensors of named params (e.g. the engine's Param[]) as float32 copies, in order. */
export function tensorsOf(params: readonly { name: string; shape: readonly number[]; data: TensorData }[]): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const p of params) out[p.name] = { shape: [...p.shape], data: Float32Array.from(p.data) };
  return out;
}

/** The file's JSON text. Validates the content first (a bad file is never written). */
export function serializeModelFile(file: ModelFileInit): string {
  const json: Record<string, unknown> = {
    format: FORMAT,
    version: VERSION,
    config: file.config,
    vocab: file.vocab.toJSON(),
    training: file.training,
    params: encodeTensors(file.params),
  };
  if (file.checkpoint) json.checkpoint = { json: file.checkpoint.json, tensors: encodeTensors(file.checkpoint.tensors) };
  const text = JSON.stringify(json);
  try {
    validateModelFile(JSON.parse(text)); // the same checks as loading, on exactly what is written
  } catch (e) {
    if (e instanceof RnnError) throw new RnnError(`refusing to save an invalid model: ${e.message}`, { expected: e.expected, got: e.got, hint: 'this is a bug in rnn; please report it', cause: e });
    throw e;
  }
  return text + '\n';
}

/** Parses and validates a model file's text; `source` names it in errors. */
export function parseModelFile(text: string, source = 'model file'): ModelFile {
  const json = parseJsonSafely(text, source);
  try {
    return validateModelFile(json);
  } catch (e) {
    if (e instanceof RnnError) throw new RnnError(`invalid model file ${source}: ${e.message}`, { expected: e.expected, got: e.got, hint: e.hint, cause: e });
    throw e;
  }
}

/** Writes the model file atomically. */
export function saveModelFile(path: string, file: ModelFileInit): void {
  writeFileAtomic(path, serializeModelFile(file));
}

/** Reads and validates a model file; `option` is where the user gave its path (for hints). */
export function loadModelFile(path: string, option = '--model'): ModelFile {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new RnnError(`${path} is a directory, not a model file`, { expected: 'a model file (JSON)', got: 'a directory', hint: `give ${option} the path of a file` });
    size = st.size;
  } catch (e) {
    if (e instanceof RnnError) throw e;
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new RnnError(missing ? `model file not found: ${path}` : `cannot read model file ${path}`, {
      got: missing ? 'no such file' : (e as Error).message,
      hint: missing ? (option === '--model' ? 'check the path; `rnn train` writes a model named after its corpus' : `check the path given to ${option}`) : 'check the path and its permissions',
      cause: e,
    });
  }
  if (size > MAX_FILE_BYTES) throw new RnnError(`model file ${path} is too large`, { expected: `at most ${MAX_FILE_BYTES} bytes`, got: `${size} bytes`, hint: 'is this an rnn model file?' });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new RnnError(`cannot read model file ${path}`, { got: (e as Error).message, hint: 'check the file permissions', cause: e });
  }
  return parseModelFile(text, path);
}

function validateConfig(v: unknown): ModelConfig {
  const o = object(v, 'config');
  const M = MODEL_OPTIONS;
  const known = [...Object.keys(M), 'vocabSize'];
  for (const k of Object.keys(o)) if (!known.includes(k)) throw problem(`config${key(k)}`, `only the fields ${known.join(', ')}`, `an unknown field "${k}"`);
  return {
    cell: optionField(o.cell, 'config.cell', M.cell),
    hidden: optionField(o.hidden, 'config.hidden', M.hidden),
    layers: optionField(o.layers, 'config.layers', M.layers),
    dropout: optionField(o.dropout, 'config.dropout', M.dropout),
    activation: optionField(o.activation, 'config.activation', M.activation),
    peephole: optionField(o.peephole, 'config.peephole', M.peephole),
    coupled: optionField(o.coupled, 'config.coupled', M.coupled),
    // a file says which cell it holds (the option's "undecided" is for the maker); files before the option: the plain cell
    layerNorm: o.layerNorm === undefined ? false : optionField(o.layerNorm, 'config.layerNorm', { ...M.layerNorm, nullable: false }),
    resetAfter: optionField(o.resetAfter, 'config.resetAfter', M.resetAfter),
    minimal: optionField(o.minimal, 'config.minimal', M.minimal),
    bidirectional: optionField(o.bidirectional, 'config.bidirectional', M.bidirectional),
    vocabSize: integer(o.vocabSize, 'config.vocabSize', 3),
  };
}

function validateTraining(v: unknown): TrainingInfo {
  const o = object(v, 'training');
  const c = object(o.corpus, 'training.corpus');
  const s = object(o.split, 'training.split');
  const hex = (v: unknown, f: string) => {
    const x = string(v, f);
    if (!/^[0-9a-f]{64}$/.test(x)) throw problem(f, '64 lowercase hex digits', x);
    return x;
  };
  const sha = hex(c.sha256, 'training.corpus.sha256');
  if (!Array.isArray(o.history)) throw problem('training.history', 'an array', o.history);
  const history = o.history.map((h, k) => validateHistoryEntry(h, `training.history[${k}]`));
  const lineage = o.lineage === undefined ? undefined : (Array.isArray(o.lineage) ? o.lineage : [object(o.lineage, 'training.lineage')]).map((l, k): LineageEntry => {
    const f = `training.lineage[${k}]`;
    const e = object(l, f);
    const c = object(e.corpus, `${f}.corpus`);
    return { sha256: hex(e.sha256, `${f}.sha256`), name: string(e.name, `${f}.name`), corpus: { name: string(c.name, `${f}.corpus.name`), sha256: hex(c.sha256, `${f}.corpus.sha256`) }, steps: integer(e.steps, `${f}.steps`) };
  });
  return {
    corpus: {
      name: string(c.name, 'training.corpus.name'),
      bytes: integer(c.bytes, 'training.corpus.bytes'),
      chars: integer(c.chars, 'training.corpus.chars'),
      sha256: sha,
    },
    split: {
      valFraction: number(s.valFraction, 'training.split.valFraction', 0, 1, true),
      trainTokens: integer(s.trainTokens, 'training.split.trainTokens'),
      valTokens: integer(s.valTokens, 'training.split.valTokens'),
      ...(s.mode === undefined ? {} : { mode: oneOf(s.mode, 'training.split.mode', ['tail', 'random'] as const) }),
    },
    ...(lineage === undefined ? {} : { lineage }),
    seed: optionField(o.seed, 'training.seed', TRAIN_OPTIONS.seed),
    steps: integer(o.steps, 'training.steps'),
    epochs: number(o.epochs, 'training.epochs', 0),
    options: object(o.options, 'training.options'),
    history,
    bestValLoss: o.bestValLoss === null ? null : number(o.bestValLoss, 'training.bestValLoss', 0),
  };
}

function validateTensors<D extends TensorData>(v: unknown, field: string, dtypes: readonly ('float32' | 'float64')[]): Record<string, Tensor<D>> {
  const o = object(v, field);
  const out: Record<string, Tensor<D>> = {};
  for (const [name, t] of Object.entries(o)) {
    if (name.length === 0) throw problem(`${field}`, 'non-empty tensor names', '""');
    out[name] = decodeTensor(t, `${field}${key(name)}`, dtypes) as Tensor<D>;
  }
  return out;
}

/** Validates parsed JSON as a model file (errors name the field, not the file). */
export function validateModelFile(json: unknown): ModelFile {
  if (!isObject(json)) throw problem('top level', 'a JSON object', json);
  if (json.format !== FORMAT) throw problem('format', `"${FORMAT}"`, json.format, 'this is not an rnn model file');
  if (typeof json.version !== 'number' || !Number.isSafeInteger(json.version) || json.version < 1) throw problem('version', 'a positive integer', json.version);
  if (json.version !== VERSION) {
    throw new RnnError(`unsupported model file version ${json.version}`, {
      expected: `version ${VERSION}`,
      got: `version ${json.version}`,
      hint: json.version > VERSION ? 'the file was written by a newer rnn; upgrade rnn' : 'retrain the model with this rnn',
    });
  }
  const config = validateConfig(json.config);
  const vocab = Vocab.fromJSON(json.vocab, 'vocab');
  if (config.vocabSize !== vocab.size) throw problem('config.vocabSize', `${vocab.size} (the size of the vocabulary)`, config.vocabSize);
  const training = validateTraining(json.training);
  const params = validateTensors<Float32Array>(json.params, 'params', ['float32']);
  if (Object.keys(params).length === 0) throw problem('params', 'at least one tensor', 'none');
  checkConfigFitsParams(config, params);
  const file: ModelFile = { format: FORMAT, version: VERSION, config, vocab, params, training };
  if (json.checkpoint !== undefined) {
    const c = object(json.checkpoint, 'checkpoint');
    if (!('json' in c)) throw problem('checkpoint.json', 'the trainer state (JSON)', undefined);
    file.checkpoint = { json: c.json, tensors: validateTensors<TensorData>(c.tensors, 'checkpoint.tensors', ['float32', 'float64']) };
  }
  return file;
}

/**
 * The fewest weights any cell of `config` has: per layer H·(I + H) (one gate block, input I = V
 * for the first layer, H after it) and the head's V·H. The config is what the model is built from,
 * so a file whose config declares far more than its params hold (e.g. hidden 65536 next to a few
 * kB of weights) is refused here, before the engine allocates anything for it: memory stays
 * bounded by the size of the file itself.
 */
export function minimumParamCount(config: Pick<ModelConfig, 'hidden' | 'layers' | 'vocabSize'>): number {
  const { hidden: H, layers: L, vocabSize: V } = config;
  return H * (V + H) + (L - 1) * H * (H + H) + V * H;
}

function checkConfigFitsParams(config: ModelConfig, params: Record<string, Tensor<TensorData>>): void {
  let total = 0;
  for (const t of Object.values(params)) total += t.data.length;
  const need = minimumParamCount(config);
  if (total < need) {
    throw problem('config', `a configuration the parameters fit (${config.layers} × ${config.hidden} hidden with V=${config.vocabSize} needs at least ${need.toLocaleString('en-US')} weights)`, `${total.toLocaleString('en-US')} weights in params`);
  }
}
