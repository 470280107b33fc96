import { existsSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { describeCell } from '../engine/config.js';
import type { LanguageModel } from '../engine/language-model.js';
import { assertFits } from '../engine/memory.js';
import { createModel } from '../engine/create.js';
import type { Vec } from '../engine/types.js';
import { RnnError } from '../errors.js';
import { evaluate } from '../eval/evaluate.js';
import { checkResumeFits, loadModelFile, loadParamsInto, saveModelFile, summarizeModel, tensorsOf, validateCheckpointState, type LineageEntry, type ModelFile, type Tensor, type TensorData, type TrainingInfo } from '../model-io/index.js';
import { sample } from '../sample/sample.js';
import { defaultCorpusPath, readCorpus, splitCorpus, tailUnlikeRest, type Corpus, type Split } from '../tokenizer/corpus.js';
import { Vocab } from '../tokenizer/vocab.js';
import type { StopReason, TrainEvents } from '../train/events.js';
import { defaultLr, type Optimizer } from '../train/optimizers.js';
import { defaultTrainOptions, defaultWeightDecay, trainWorkload, validateTrainOptions, type ResumeOverrides, type TrainOptions, type TrainOptionsInput } from '../train/options.js';
import { autoEvalEvery, MAX_EVAL_SEQ_LENGTH, pastItsBest } from '../options.js';
import { Trainer, type Resume, type RunState, type TrainResult } from '../train/trainer.js';
import { Rng } from '../util/rng.js';
import { fineTuneShape, fineTuneVocab, lineageOf, loadBase, transferWeights, type Base } from './init-from.js';
import { capThreads, defaultThreads, getKernels } from './kernels.js';
import { applyRecipe } from './recipe.js';
import { assertWritable, displayPath } from './paths.js';

export interface TrainCall {
  events?: TrainEvents;
  /** Aborting stops training after the current step; a checkpoint is written first. */
  signal?: AbortSignal;
  /** A checkpoint to continue from: its options are used, except those in `overrides`. */
  resume?: string;
  overrides?: ResumeOverrides;
  /** Replace a model or checkpoint that another run left at the output paths [false: refuse]. */
  force?: boolean;
  /** Told one line about the run once the data is ready. */
  onStart?(message: string): void;
}

export interface TrainOutcome extends TrainResult {
  /** The options the run trained with, the recipe's choices included. */
  options: TrainOptions;
  output: string;
  checkpoint: string;
  seed: number;
}

/** What a checkpoint's opaque JSON holds besides the weights and named tensors. */
interface CheckpointJson {
  options: TrainOptions;
  run: RunState;
  optimizerT: number;
}

interface LoadedCheckpoint {
  path: string;
  file: ModelFile;
  json: CheckpointJson;
}

/** Trains a model as `rnn train` does; the library entry point. */
export async function train(options: TrainOptionsInput, call: TrainCall = {}): Promise<TrainOutcome> {
  const ckpt = call.resume ? loadCheckpoint(call.resume) : null;
  const opts = ckpt ? resumedOptions(ckpt, call.overrides) : defaultTrainOptions(options);
  // Absolute paths, so that a checkpoint resumed from another directory reads and writes the same files.
  const base = !ckpt && opts.initFrom !== null ? loadBase(opts.initFrom) : null;
  if (base) {
    // fine-tuning: the base's shape and sequence ends; the learning rate and weight decay follow its cell unless given
    opts.model = fineTuneShape(base, options.model);
    opts.eos = base.file.vocab.eos;
    if (options.lr === undefined) opts.lr = defaultLr(opts.optimizer, opts.model);
    if (options.weightDecay === undefined) opts.weightDecay = defaultWeightDecay(opts.model);
  }
  opts.corpus = opts.corpus.map((p) => (p === '-' ? p : resolve(p)));
  opts.output = resolve(opts.output);
  opts.checkpoint = resolve(opts.checkpoint);
  validateTrainOptions(opts);
  assertDistinct(opts);
  assertWritable(opts.output, '--output');
  assertWritable(opts.checkpoint, '--checkpoint');
  if (!call.force) assertOwnFiles(opts, ckpt);
  const warn = (message: string) => call.events?.warning?.(message);

  const corpus = await readRunCorpus(opts, ckpt);
  if (corpus.crlf > 0) warn(`${corpus.name}: ${corpus.crlf.toLocaleString('en-US')} Windows line ends (CRLF) read as newlines`);
  if (ckpt && corpus.sha256 !== ckpt.file.training.corpus.sha256) {
    throw new RnnError('the corpus differs from the one the checkpoint was trained on', {
      expected: `sha256 ${ckpt.file.training.corpus.sha256.slice(0, 16)}… (${ckpt.file.training.corpus.name})`,
      got: `sha256 ${corpus.sha256.slice(0, 16)}… (${corpus.name})`,
      hint: 'resume with the same corpus files, in the same order',
    });
  }
  const vocab = ckpt ? ckpt.file.vocab : base ? baseVocab(base, corpus, opts.extendVocab, warn) : Vocab.fromText(corpus.data, { eos: opts.eos, minCount: opts.minCount, maxVocab: opts.maxVocab }, corpus.name);
  const { ids, unknown } = vocab.encode(corpus.data, { start: true, source: corpus.name });
  if (!ckpt && !base && unknown >= UNK_WARN_SHARE * corpus.chars) warn(unknownShareWarning(opts, vocab, unknown, corpus.chars));
  const split = splitCorpus(ids, opts.valFraction, opts.valSplit, opts.seed);
  const unlike = !ckpt && opts.valSplit === 'tail' && opts.valFraction > 0 ? tailUnlikeRest(ids, split) : null;
  if (unlike) warn(`${unlike}; --val-split random holds out lines chosen at random instead`);
  fitBlock(opts, split.train.length, call.events);
  const { threads, warning } = capThreads(opts.threads || defaultThreads());
  if (opts.threads > 0 && warning) warn(warning);
  const given = { ...options.model, epochs: options.epochs, steps: options.steps, maxTime: options.maxTime, lr: options.lr, batchSize: options.batchSize };
  const recipe = ckpt || base ? null : await applyRecipe(opts, given, split, vocab.size, threads);
  const evalEvery = opts.evalEvery ?? autoEvalEvery(split.valTokens, opts.batchSize, opts.seqLength);
  opts.evalEvery = evalEvery;

  const config = { ...opts.model, vocabSize: vocab.size };
  const kernels = await getKernels({ threads, backend: opts.kernels ?? undefined });
  try {
    assertFits(config, trainWorkload(opts), kernels.memoryLimit, `what ${kernels.description} can hold`);
    const model = createModel(config, kernels, new Rng(opts.seed));
    if (ckpt) loadParamsInto(ckpt.file.params, model.params, ckpt.path);
    if (base) transferWeights(base, vocab, model.params);
    const corpusInfo = { name: corpus.name, bytes: corpus.bytes, chars: corpus.chars, sha256: corpus.sha256 }; // not its bytes
    const lineage = base ? lineageOf(base) : ckpt?.file.training.lineage;
    const sink = new FileSink(model, vocab, corpusInfo, split, opts, lineage);
    const trainer = new Trainer(model, split.train, { ...opts, evalEvery }, sink, call.events);
    if (ckpt) {
      const resume = resumeState(ckpt);
      checkResumeFits(ckpt.file, {
        stateSize: trainer.carried.length, moments: trainer.optimizer.moments(), streamLength: trainer.batches.L, cursor: resume.run.cursor,
      }, ckpt.path);
      trainer.restore(resume);
      const done = trainer.reachedLimit();
      if (done) throw nothingLeftToDo(done, trainer.run, opts);
    }
    const onAbort = () => trainer.requestStop('interrupted');
    call.signal?.addEventListener('abort', onAbort);
    call.onStart?.(
      `${ckpt ? `resuming ${ckpt.path} at step ${ckpt.json.run.step}` : 'training'}: ${corpus.name}, ${split.trainTokens.toLocaleString('en-US')} training / ` +
        `${split.valTokens.toLocaleString('en-US')} validation chars, V=${vocab.size}, ${describeCell(config)} ${opts.model.layers}×${opts.model.hidden}, ` +
        `B=${opts.batchSize} T=${opts.seqLength}, ${opts.optimizer} lr ${Number(opts.lr.toPrecision(3))}, seed ${opts.seed}, validation every ${evalEvery} steps; ${kernels.description}` +
        (recipe ? `\n${recipe}` : ''),
    );
    try {
      if (call.signal?.aborted) trainer.requestStop('interrupted');
      const result = await trainer.train();
      return { ...result, options: opts, output: opts.output, checkpoint: opts.checkpoint, seed: opts.seed };
    } finally {
      call.signal?.removeEventListener('abort', onAbort);
    }
  } finally {
    kernels.close?.();
  }
}

/** The fine-tuned model's vocabulary, with a word about the corpus's characters the base lacks. */
function baseVocab(base: Base, corpus: Corpus, extend: boolean, warn: (m: string) => void): Vocab {
  const ft = fineTuneVocab(base, corpus.data, extend, corpus.name);
  const some = ft.missingChars.slice(0, 8).map((c) => JSON.stringify(c)).join(', ') + (ft.missingChars.length > 8 ? ', …' : '');
  if (ft.missing > 0 && !extend) {
    warn(`${ft.missing.toLocaleString('en-US')} characters of ${corpus.name} (${ft.missingChars.length} distinct: ${some}) are not in ${displayPath(base.path)}'s vocabulary ` +
      'and become <UNK>; --extend-vocab gives them ids of their own');
  } else if (ft.missing > 0) {
    warn(`--extend-vocab: ${ft.missingChars.length} new character${ft.missingChars.length === 1 ? '' : 's'} (${some}) get ids of their own, initialised as in a new model`);
  }
  return ft.vocab;
}

/** A share of the corpus that --min-count / --max-vocab turn into <UNK> worth a warning. */
const UNK_WARN_SHARE = 0.01;

function unknownShareWarning(opts: TrainOptions, vocab: Vocab, unknown: number, chars: number): string {
  const limits = [opts.minCount > 1 ? `--min-count ${opts.minCount}` : '', opts.maxVocab !== null ? `--max-vocab ${opts.maxVocab}` : ''].filter(Boolean).join(' ');
  const kept = vocab.chars.length;
  return `${limits} keeps ${kept} character${kept === 1 ? '' : 's'}: ${unknown.toLocaleString('en-US')} of the corpus's ` +
    `${chars.toLocaleString('en-US')} (${((100 * unknown) / chars).toFixed(1)}%) become <UNK>`;
}

/** The model, the checkpoint and the corpus must be three different files. */
function assertDistinct(opts: TrainOptions): void {
  const clash = (what: string, option: string) =>
    new RnnError(`${option} would overwrite ${what}`, { expected: `a path other than ${what}`, got: option === '--output' ? opts.output : opts.checkpoint, kind: 'usage',
      hint: 'e.g. --output book.json (the checkpoint goes to book.ckpt.json)' });
  if (opts.output === opts.checkpoint) throw clash('the checkpoint', '--output');
  if (opts.corpus.includes(opts.output)) throw clash('the corpus', '--output');
  if (opts.corpus.includes(opts.checkpoint)) throw clash('the corpus', '--checkpoint');
}

/** Two model files come from the same run: the same seed, corpus and model. */
function sameRun(a: ModelFile, b: ModelFile): boolean {
  return a.training.seed === b.training.seed && a.training.corpus.sha256 === b.training.corpus.sha256 &&
    JSON.stringify(a.config) === JSON.stringify(b.config);
}

/**
 * Never replace another run's work: a model or checkpoint already at the output paths must be
 * this run's own (the checkpoint being resumed, or the model it wrote), unless --force.
 */
function assertOwnFiles(opts: TrainOptions, ckpt: LoadedCheckpoint | null): void {
  for (const [path, kind] of [[opts.output, 'model'], [opts.checkpoint, 'checkpoint']] as const) {
    if (!existsSync(path) || (ckpt && path === ckpt.path)) continue;
    let other: ModelFile | null = null;
    try {
      other = loadModelFile(path);
    } catch {
      // not a model file: refused below all the same
    }
    if (ckpt && other && sameRun(other, ckpt.file)) continue;
    const shown = displayPath(path);
    throw new RnnError(other ? `${shown} holds another run's ${kind} (${summarizeModel(other)})` : `${shown} exists and is not a model of this run`, {
      kind: 'usage',
      hint: (kind === 'checkpoint' && other?.checkpoint ? `continue that run with \`rnn train --resume ${shown}\`, or ` : '') +
        'write elsewhere with --output other.json, or pass --force to replace it',
    });
  }
}

function resumedOptions(ckpt: LoadedCheckpoint, overrides: ResumeOverrides = {}): TrainOptions {
  const saved = ckpt.json.options;
  // a run from before --lr-schedule decayed in steps, and from before --weight-decay had none: it goes on as it began
  const o: TrainOptions = {
    ...saved, lrSchedule: (saved as Partial<TrainOptions>).lrSchedule ?? 'step', weightDecay: (saved as Partial<TrainOptions>).weightDecay ?? 0,
    model: { ...saved.model },
  };
  // A checkpoint that was moved (another folder, another machine) takes its model along: the output
  // keeps its place relative to the checkpoint.
  if (ckpt.path !== saved.checkpoint) {
    o.output = resolve(dirname(ckpt.path), relative(dirname(saved.checkpoint), saved.output));
    o.checkpoint = ckpt.path;
  }
  return Object.assign(o, Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)));
}

/** The run's corpus; on resume, the recorded files, or the ones given instead (checked by SHA-256 after). */
async function readRunCorpus(opts: TrainOptions, ckpt: LoadedCheckpoint | null): Promise<Corpus> {
  const paths = opts.corpus.length > 0 ? opts.corpus : [defaultCorpusPath];
  const missing = paths.find((p) => p !== '-' && !existsSync(p));
  if (ckpt && missing) {
    throw new RnnError(`cannot find the corpus of ${ckpt.path}: ${missing}`, {
      expected: `${ckpt.file.training.corpus.name} (sha256 ${ckpt.file.training.corpus.sha256.slice(0, 16)}…)`, got: 'no such file',
      hint: `give its files where they are now: rnn train --resume ${ckpt.path} path/to/${ckpt.file.training.corpus.name.split('+')[0]}`,
    });
  }
  return readCorpus(paths);
}

/** A resume whose run has already reached a limit: say which, and how to go on. */
function nothingLeftToDo(reason: StopReason, run: RunState, opts: TrainOptions): RnnError {
  const minutes = Math.max(1, Math.ceil(run.elapsedSeconds / 60));
  const what: Partial<Record<StopReason, [string, string]>> = {
    steps: [`the run is at step ${run.step}, its --steps total`, `--steps ${2 * run.step}`],
    epochs: [`the run has done ${opts.epochs} epochs, its --epochs total`, `--epochs ${2 * (opts.epochs ?? 1)}`],
    'max-time': [`the run has trained for ${minutes} min, its --max-time total`, `--max-time ${2 * minutes}m (or none)`],
    patience: [`${pastItsBest(opts.patience ?? 1)} (--patience)`, `--patience ${2 * (opts.patience ?? 1)}`],
  };
  const [where, more] = what[reason] ?? [reason, '--steps N'];
  return new RnnError(`nothing left to train: ${where}`, {
    kind: 'usage', hint: `limits are totals of the whole run: give a larger one, e.g. \`rnn train --resume ${displayPath(opts.checkpoint)} ${more}\``,
  });
}

/** A corpus shorter than B streams of T+1 tokens trains with fewer streams or shorter blocks. */
function fitBlock(opts: TrainOptions, n: number, events?: TrainEvents): void {
  const B = Math.max(1, Math.min(opts.batchSize, Math.floor((n - 1) / 2)));
  const L = Math.floor((n - 1) / B);
  const T = Math.max(1, Math.min(opts.seqLength, L));
  if (B !== opts.batchSize) {
    events?.warning?.(`the training text is short (${n.toLocaleString('en-US')} tokens): using --batch-size ${B} --seq-length ${T}`);
  } else if (T !== opts.seqLength) {
    events?.warning?.(`--seq-length ${opts.seqLength} is longer than each of the ${B} streams (${L.toLocaleString('en-US')} tokens): using --seq-length ${T}`);
  }
  opts.batchSize = B;
  opts.seqLength = T;
}

function loadCheckpoint(given: string): LoadedCheckpoint {
  const path = resolve(given);
  const file = loadModelFile(path, '--resume');
  const json = file.checkpoint?.json as CheckpointJson | undefined;
  if (!file.checkpoint || !json || typeof json !== 'object' || !json.options || !json.run || typeof json.optimizerT !== 'number') {
    throw new RnnError(`${given} is not a checkpoint`, {
      expected: 'a checkpoint written by rnn train (<output>.ckpt.json)', got: 'a model file without training state',
      hint: 'pass the .ckpt.json file that training wrote next to the model',
    });
  }
  validateCheckpointState(file, given);
  return { path, file, json };
}

function resumeState(ckpt: LoadedCheckpoint): Resume {
  const t = ckpt.file.checkpoint!.tensors;
  const moments = new Map<string, Float32Array>();
  for (const [name, v] of Object.entries(t)) if (name.startsWith('optimizer.')) moments.set(name.slice('optimizer.'.length), v.data as Float32Array);
  const carried = t['state.carried'];
  if (!carried) throw new RnnError('the checkpoint lacks the carried hidden state', { hint: 'the checkpoint is damaged; start a new run' });
  return { run: ckpt.json.run, moments, optimizerT: ckpt.json.optimizerT, carried: carried.data as Float32Array };
}

/** Binds the trainer's saving and validation to model files on disk. */
class FileSink {
  constructor(
    private readonly model: LanguageModel,
    private readonly vocab: Vocab,
    private readonly corpus: TrainingInfo['corpus'],
    private readonly split: Split,
    private readonly opts: TrainOptions,
    private readonly lineage: LineageEntry[] | undefined,
  ) {}

  private fileOf(run: RunState): Omit<ModelFile, 'format' | 'version'> {
    const training: TrainingInfo = {
      corpus: this.corpus,
      split: { valFraction: this.opts.valFraction, trainTokens: this.split.trainTokens, valTokens: this.split.valTokens, mode: this.opts.valSplit },
      ...(this.lineage ? { lineage: this.lineage } : {}),
      seed: this.opts.seed,
      steps: run.step,
      epochs: run.epoch,
      options: this.optionsRecord(),
      history: run.history,
      bestValLoss: run.bestValLoss,
    };
    return { config: this.model.config, vocab: this.vocab, params: tensorsOf(this.model.params), training };
  }

  /**
   * The options as the model records them: not where its files were written, nor the threads and
   * kernels it ran on (the same seed gives the same bits on any thread count of a backend).
   */
  private optionsRecord(): Record<string, unknown> {
    const { output: _o, checkpoint: _c, threads: _t, kernels: _k, ...rest } = this.opts;
    return { ...rest, corpus: [...rest.corpus] };
  }

  async saveBest(run: RunState): Promise<void> {
    // A run that diverged before its first evaluation does not replace a model left by an earlier run.
    if (run.bestStep === null && existsSync(this.opts.output)) return;
    saveModelFile(this.opts.output, this.fileOf(run));
  }

  /** --keep: this evaluation's model as a file of its own, named with its step and loss (book_step1200_1.5234.json). */
  async saveKept(run: RunState, valLoss: number): Promise<string> {
    const name = `${basename(this.opts.output, '.json')}_step${run.step}_${valLoss.toFixed(4)}.json`;
    saveModelFile(join(dirname(this.opts.output), name), this.fileOf({ ...run, bestValLoss: valLoss, bestStep: run.step }));
    return name;
  }

  removeKept(name: string): void {
    rmSync(join(dirname(this.opts.output), name), { force: true });
  }

  async saveCheckpoint(run: RunState, optimizer: Optimizer, carried: Vec): Promise<void> {
    const tensors: Record<string, Tensor<TensorData>> = { 'state.carried': { shape: [carried.length], data: Float32Array.from(carried) } };
    for (const [name, m] of optimizer.moments()) tensors[`optimizer.${name}`] = { shape: [m.length], data: m };
    const json: CheckpointJson = { options: this.opts, run, optimizerT: optimizer.t };
    saveModelFile(this.opts.checkpoint, { ...this.fileOf(run), checkpoint: { json, tensors } });
  }

  /**
   * The exact figure `rnn eval perplexity` gives the split: one stream, the state carried through it
   * (the same for any block length), in blocks as long as a training block's positions, which the
   * model's buffers already hold, so that W_hh is packed once per T·B characters instead of once per 128.
   */
  validate(): number | null {
    if (this.split.valTokens < 1) return null;
    return evaluate(this.model, this.split.val, { seqLength: Math.min(this.opts.batchSize * this.opts.seqLength, MAX_EVAL_SEQ_LENGTH) }).nats;
  }

  sample(temperatures: number[], step: number): { temperature: number; text: string }[] {
    if (this.model.config.bidirectional) return []; // an infill model does not generate left to right
    return temperatures.map((temperature) => ({
      temperature,
      text: sample(this.model, this.vocab, { length: 200, temperature, seed: step }).text,
    }));
  }
}

export type { StopReason };
