import { checkResumeFits, loadModelFile, loadParamsInto, saveModelFile, tensorsOf, validateCheckpointState, type ModelFile, type TrainingInfo } from '../model-io/index.js';
import type { Tensor, TensorData } from '../model-io/index.js';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { RnnError } from '../errors.js';
import { createModel } from '../engine/model.js';
import type { LanguageModel } from '../engine/language-model.js';
import type { Vec } from '../engine/types.js';
import { evaluate } from '../eval/evaluate.js';
import { sample } from '../sample/sample.js';
import { readCorpus, splitTrainVal, type Split } from '../tokenizer/corpus.js';
import { Vocab } from '../tokenizer/vocab.js';
import type { StopReason, TrainEvents } from '../train/events.js';
import type { Optimizer } from '../train/optimizers.js';
import { defaultTrainOptions, validateTrainOptions, type TrainOptions, type TrainOptionsInput } from '../train/options.js';
import { Trainer, type Resume, type RunState, type TrainResult } from '../train/trainer.js';
import { Rng } from '../util/rng.js';
import { getKernels, releaseKernels } from './kernels.js';
import { assertWritable, defaultCorpusPath } from './paths.js';

export interface TrainCall {
  events?: TrainEvents;
  /** Aborting stops training after the current step; a checkpoint is written first. */
  signal?: AbortSignal;
  /** A checkpoint to continue from: its options are used, except the limits in `overrides`. */
  resume?: string;
  overrides?: Partial<Pick<TrainOptions, 'steps' | 'epochs' | 'maxTime'>>;
  /** Told one line about the run once the data is ready. */
  onStart?(message: string): void;
}

export interface TrainOutcome extends TrainResult {
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

const EVAL_BATCH = 16;

/** Trains a model as `rnn train` does; the library entry point. */
export async function train(options: TrainOptionsInput, call: TrainCall = {}): Promise<TrainOutcome> {
  const ckpt = call.resume ? loadCheckpoint(call.resume) : null;
  const opts = ckpt ? resumedOptions(ckpt.json.options, call.overrides) : defaultTrainOptions(options);
  // Absolute paths, so that a checkpoint resumed from another directory reads and writes the same files.
  opts.corpus = opts.corpus.map((p) => (p === '-' ? p : resolve(p)));
  opts.output = resolve(opts.output);
  opts.checkpoint = resolve(opts.checkpoint);
  validateTrainOptions(opts);
  assertDistinct(opts);
  assertWritable(opts.output, '--output');
  assertWritable(opts.checkpoint, '--checkpoint');

  const corpus = await readCorpus(opts.corpus.length > 0 ? opts.corpus : [defaultCorpusPath]);
  if (ckpt && corpus.sha256 !== ckpt.file.training.corpus.sha256) {
    throw new RnnError('the corpus differs from the one the checkpoint was trained on', {
      expected: `sha256 ${ckpt.file.training.corpus.sha256.slice(0, 16)}… (${ckpt.file.training.corpus.name})`,
      got: `sha256 ${corpus.sha256.slice(0, 16)}… (${corpus.name})`,
      hint: 'resume with the same corpus files, in the same order',
    });
  }
  const vocab = ckpt ? ckpt.file.vocab : Vocab.fromText(corpus.data, { eos: opts.eos, minCount: opts.minCount, maxVocab: opts.maxVocab }, corpus.name);
  const { ids } = vocab.encode(corpus.data, { start: true, source: corpus.name });
  const split = splitTrainVal(ids, opts.valFraction);
  fitBlock(opts, split.train.length, call.events);

  const kernels = await getKernels({ threads: opts.threads });
  try {
    const model = createModel({ ...opts.model, vocabSize: vocab.size }, kernels, new Rng(opts.seed));
    if (ckpt) loadParamsInto(ckpt.file.params, model.params, call.resume);
    const corpusInfo = { name: corpus.name, bytes: corpus.bytes, chars: corpus.chars, sha256: corpus.sha256 }; // not its bytes
    const sink = new FileSink(model, vocab, corpusInfo, split, opts);
    const trainer = new Trainer(model, split.train, opts, sink, call.events);
    if (ckpt) {
      const resume = resumeState(ckpt);
      checkResumeFits(ckpt.file, {
        stateSize: trainer.carried.length, moments: trainer.optimizer.moments(), streamLength: trainer.batches.L, cursor: resume.run.cursor,
      }, call.resume);
      trainer.restore(resume);
    }
    const onAbort = () => trainer.requestStop('interrupted');
    call.signal?.addEventListener('abort', onAbort);
    call.onStart?.(
      `${ckpt ? `resuming ${call.resume} at step ${ckpt.json.run.step}` : 'training'}: ${corpus.name}, ${split.trainTokens.toLocaleString('en-US')} training / ` +
        `${split.valTokens.toLocaleString('en-US')} validation chars, V=${vocab.size}, ${opts.model.cell} ${opts.model.layers}×${opts.model.hidden}, ` +
        `B=${opts.batchSize} T=${opts.seqLength}, ${opts.optimizer} lr ${opts.lr}, seed ${opts.seed}, kernels ${kernels.name}`,
    );
    try {
      if (call.signal?.aborted) trainer.requestStop('interrupted');
      const result = await trainer.train();
      return { ...result, output: opts.output, checkpoint: opts.checkpoint, seed: opts.seed };
    } finally {
      call.signal?.removeEventListener('abort', onAbort);
    }
  } finally {
    releaseKernels(kernels);
  }
}

/** The model, the checkpoint and the corpus must be three different files. */
function assertDistinct(opts: TrainOptions): void {
  const clash = (what: string, option: string) =>
    new RnnError(`${option} would overwrite ${what}`, { expected: `a path other than ${what}`, got: option === '--output' ? opts.output : opts.checkpoint, kind: 'usage',
      hint: 'e.g. --output model.json (the checkpoint goes to model.ckpt.json)' });
  if (opts.output === opts.checkpoint) throw clash('the checkpoint', '--output');
  if (opts.corpus.includes(opts.output)) throw clash('the corpus', '--output');
  if (opts.corpus.includes(opts.checkpoint)) throw clash('the corpus', '--checkpoint');
}

function resumedOptions(saved: TrainOptions, overrides: TrainCall['overrides'] = {}): TrainOptions {
  const o = { ...saved };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) (o as Record<string, unknown>)[k] = v;
  return o;
}

/** A corpus shorter than B streams of T+1 tokens trains with fewer streams or shorter blocks. */
function fitBlock(opts: TrainOptions, n: number, events?: TrainEvents): void {
  const B = Math.max(1, Math.min(opts.batchSize, Math.floor((n - 1) / 2)));
  const L = Math.floor((n - 1) / B);
  const T = Math.max(1, Math.min(opts.seqLength, L));
  if (B !== opts.batchSize || T !== opts.seqLength) {
    events?.warning?.(`the training text is short (${n} tokens): using --batch-size ${B} --seq-length ${T}`);
    opts.batchSize = B;
    opts.seqLength = T;
  }
}

function loadCheckpoint(path: string): { file: ModelFile; json: CheckpointJson } {
  const file = loadModelFile(path);
  const json = file.checkpoint?.json as CheckpointJson | undefined;
  if (!file.checkpoint || !json || typeof json !== 'object' || !json.options || !json.run || typeof json.optimizerT !== 'number') {
    throw new RnnError(`${path} is not a checkpoint`, {
      expected: 'a checkpoint written by rnn train (<output>.ckpt.json)', got: 'a model file without training state',
      hint: 'pass the .ckpt.json file that training wrote next to the model',
    });
  }
  validateCheckpointState(file, path);
  return { file, json };
}

function resumeState(ckpt: { file: ModelFile; json: CheckpointJson }): Resume {
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
  ) {}

  private fileOf(run: RunState): Omit<ModelFile, 'format' | 'version'> {
    const training: TrainingInfo = {
      corpus: this.corpus,
      split: { valFraction: this.opts.valFraction, trainTokens: this.split.trainTokens, valTokens: this.split.valTokens },
      seed: this.opts.seed,
      steps: run.step,
      epochs: run.epoch,
      options: this.optionsRecord(),
      history: run.history,
      bestValLoss: run.bestValLoss,
    };
    return { config: this.model.config, vocab: this.vocab, params: tensorsOf(this.model.params), training };
  }

  /** The options as the model records them: not where its files were written (that is not the model's). */
  private optionsRecord(): Record<string, unknown> {
    const { output: _o, checkpoint: _c, ...rest } = this.opts;
    return { ...rest, corpus: [...rest.corpus] };
  }

  async saveBest(run: RunState): Promise<void> {
    // A run that diverged before its first evaluation does not replace a model left by an earlier run.
    if (run.bestStep === null && existsSync(this.opts.output)) return;
    saveModelFile(this.opts.output, this.fileOf(run));
  }

  async saveCheckpoint(run: RunState, optimizer: Optimizer, carried: Vec): Promise<void> {
    const tensors: Record<string, Tensor<TensorData>> = { 'state.carried': { shape: [carried.length], data: Float32Array.from(carried) } };
    for (const [name, m] of optimizer.moments()) tensors[`optimizer.${name}`] = { shape: [m.length], data: m };
    const json: CheckpointJson = { options: this.opts, run, optimizerT: optimizer.t };
    saveModelFile(this.opts.checkpoint, { ...this.fileOf(run), checkpoint: { json, tensors } });
  }

  validate(): number | null {
    if (this.split.valTokens < 1) return null;
    const r = evaluate(this.model, this.split.val, { batch: Math.min(EVAL_BATCH, this.split.valTokens), seqLength: this.opts.seqLength });
    return r.nats;
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
