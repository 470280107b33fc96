import { basename, extname } from 'node:path';
import { defaultModelConfig, layerNormByDefault, validateVariants, type ModelConfig } from '../engine/config.js';
import type { Backend } from '../engine/kernels/backend.js';
import type { Workload } from '../engine/memory.js';
import { RnnError } from '../errors.js';
import { checkOption, LN_WEIGHT_DECAY, MODEL_OPTIONS, TRAIN_OPTIONS, type OptionSpec, type VAL_SPLITS } from '../options.js';
import { defaultCorpusPath } from '../tokenizer/corpus.js';
import type { EosMode } from '../tokenizer/segment.js';
import type { ClipMode } from './clip.js';
import { defaultLr, type OptimizerKind } from './optimizers.js';
import type { LrScheduleKind } from './schedule.js';

/** Everything a training run is given; a checkpoint stores it so `--resume` needs nothing else. */
export interface TrainOptions {
  /** Corpus paths; ['-'] reads stdin; [] uses the bundled default. */
  corpus: string[];
  model: Omit<ModelConfig, 'vocabSize'>;
  eos: EosMode;
  minCount: number;
  maxVocab: number | null;
  valFraction: number;
  seqLength: number;
  batchSize: number;
  optimizer: OptimizerKind;
  lr: number;
  /** Decoupled weight decay λ of the weight matrices (optimizers.ts); 0: none. */
  weightDecay: number;
  /** lr ← lr·lrDecay every lrDecayEvery steps from step lrDecayStart. */
  lrDecay: number;
  lrDecayEvery: number;
  lrDecayStart: number;
  clip: number;
  clipMode: ClipMode;
  /** Limits are totals of the whole run, resumes included: epochs and steps counted from its start, */
  epochs: number | null;
  steps: number | null;
  /** and the seconds it has spent training (null: no limit). */
  maxTime: number | null;
  /** Evaluations in a row more than PATIENCE_MARGIN above the best before stopping; null: never stop early. */
  patience: number | null;
  seed: number;
  output: string;
  checkpoint: string;
  /** Steps between checkpoints; null: one whenever CHECKPOINT_SECONDS of training have passed. */
  checkpointEvery: number | null;
  /** Steps between evaluations; null: autoEvalEvery for the run's split, resolved as it starts (a checkpoint records the number). */
  evalEvery: number | null;
  /** Steps between printed samples; 0: none. */
  sampleEvery: number;
  threads: number;
  /** The learning-rate schedule (schedule.ts). */
  lrSchedule: LrScheduleKind;
  /** The kernel backend; null: RNN_KERNELS, else the fastest built. Not recorded: any backend trains the same model. */
  kernels: Backend | null;
  /** Keep the N best models by validation loss as files named with their step and loss (0: none). */
  keep: number;
  /** A trained model to start from (fine-tuning: its weights, a fresh optimiser); null: a new model. */
  initFrom: string | null;
  /** With initFrom: the new corpus's characters that the base lacks get ids of their own [else <UNK>]. */
  extendVocab: boolean;
  /** What is held out: the corpus's tail, or whole lines (paragraphs) chosen by the seed. */
  valSplit: ValSplit;
}

export type ValSplit = (typeof VAL_SPLITS)[number];

const T = TRAIN_OPTIONS;
/** The options' defaults, from the option table (lr, seed, output, checkpoint and threads depend on the run). */
export const trainDefaults = {
  eos: T.eos.default, minCount: T.minCount.default, maxVocab: T.maxVocab.default, valFraction: T.valFraction.default, valSplit: T.valSplit.default,
  seqLength: T.seqLength.default, batchSize: T.batchSize.default, optimizer: T.optimizer.default, weightDecay: T.weightDecay.default,
  lrSchedule: T.lrSchedule.default, lrDecay: T.lrDecay.default, lrDecayEvery: T.lrDecayEvery.default, lrDecayStart: T.lrDecayStart.default, clip: T.clip.default, clipMode: T.clipMode.default,
  epochs: T.epochs.default, steps: T.steps.default, maxTime: T.maxTime.default, patience: T.patience.default,
  checkpointEvery: T.checkpointEvery.default, evalEvery: T.evalEvery.default, sampleEvery: T.sampleEvery.default,
  keep: T.keep.default, initFrom: T.initFrom.default, extendVocab: T.extendVocab.default, kernels: T.kernels.default,
} satisfies Partial<TrainOptions>;

/**
 * The model's shape before the run sees its corpus (the table's defaults; layer normalisation for
 * an LSTM unless given: layerNormByDefault). A new run replaces the width and dropout it was not
 * given by the recipe's (recipe.ts, applied in api/train.ts once the corpus is read); the table's
 * 2×192 with dropout 0.2 is what commands without a corpus use.
 */
export const trainModelDefaults: Omit<ModelConfig, 'vocabSize'> = defaultModelConfig;

/** The weight decay of a model unless given: LN_WEIGHT_DECAY for a layer-normalised LSTM (it overfits sooner), else none. */
export function defaultWeightDecay(model: Pick<ModelConfig, 'cell' | 'layerNorm'>): number {
  return model.cell === 'lstm' && model.layerNorm ? LN_WEIGHT_DECAY : 0;
}

/** What a caller of the library may give: any subset, the model's shape included. */
export type TrainOptionsInput = Partial<Omit<TrainOptions, 'model'>> & { model?: Partial<TrainOptions['model']> };

/** The options a resumed run may change: its limits, its threads and kernels, and where its corpus now is. */
export type ResumeOverrides = Partial<Pick<TrainOptions, 'steps' | 'epochs' | 'maxTime' | 'patience' | 'threads' | 'kernels' | 'corpus'>>;

/**
 * Fills in the defaults (an option given as undefined takes its default); an option the library
 * does not know is an error, not silently ignored.
 */
export function defaultTrainOptions(given: TrainOptionsInput = {}): TrainOptions {
  const partial = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as TrainOptionsInput;
  const optimizer = partial.optimizer ?? trainDefaults.optimizer;
  const shape = { ...trainModelDefaults, ...Object.fromEntries(Object.entries(partial.model ?? {}).filter(([, v]) => v !== undefined)) };
  const model = { ...shape, layerNorm: partial.model?.layerNorm ?? layerNormByDefault(shape) };
  const weightDecay = partial.weightDecay ?? defaultWeightDecay(model);
  const corpus = partial.corpus ?? [];
  const output = partial.output ?? outputFor(corpus);
  const defaults: TrainOptions = {
    corpus,
    ...trainDefaults,
    lr: defaultLr(optimizer, model),
    weightDecay,
    seed: 0,
    output,
    checkpoint: checkpointPathFor(output),
    threads: 0,
    model,
  };
  const unknown = (keys: string[], known: object) => keys.find((k) => !Object.hasOwn(known, k));
  const topLevel = unknown(Object.keys(partial), defaults);
  const inModel = unknown(Object.keys(partial.model ?? {}), trainModelDefaults);
  if (topLevel !== undefined || inModel !== undefined) {
    const name = topLevel ?? `model.${inModel}`;
    const modelKey = topLevel !== undefined && Object.hasOwn(trainModelDefaults, topLevel);
    throw new RnnError(`unknown training option "${name}"`, {
      expected: topLevel !== undefined ? `one of ${Object.keys(defaults).join(', ')}` : `one of ${Object.keys(trainModelDefaults).join(', ')}`,
      got: `"${name}"`, kind: 'usage',
      hint: modelKey ? `the model's shape goes under \`model\`, e.g. train({ model: { ${topLevel}: … } })` : 'check the spelling',
    });
  }
  // the step schedule's options choose it; the cosine schedule has none of them
  const decay = (['lrDecay', 'lrDecayEvery', 'lrDecayStart'] as const).filter((k) => partial[k] !== undefined);
  if (decay.length > 0 && partial.lrSchedule === 'cosine') {
    const them = decay.length === 1 ? 'it' : 'them';
    throw new RnnError(`${decay.map(flagOf).join(', ')} belong${decay.length === 1 ? 's' : ''} to the step schedule`, {
      expected: `--lr-schedule step with ${them}`, got: '--lr-schedule cosine', kind: 'usage',
      hint: `drop ${them}, or give --lr-schedule step`,
    });
  }
  const lrSchedule = partial.lrSchedule ?? (decay.length > 0 ? 'step' : defaults.lrSchedule);
  return { ...defaults, ...partial, lrSchedule, model };
}

const flagOf = (key: keyof typeof TRAIN_OPTIONS): string => TRAIN_OPTIONS[key].flag;

/** What a run's training block allocates besides its weights (engine/memory.ts): B×T, the optimiser's moments per weight, dropout masks. */
export function trainWorkload(o: TrainOptions): Workload {
  return { B: o.batchSize, T: o.seqLength, moments: o.optimizer === 'adam' ? 2 : 1, dropout: o.model.dropout > 0 };
}

/**
 * Where a run writes its model unless told: in the current folder, named after the corpus —
 * book.txt → book.json; several files → a+b+c.json (with +N-more past three); stdin → stdin.json;
 * the bundled default → tinyshakespeare.json.
 */
export function outputFor(corpus: readonly string[]): string {
  const stems = (corpus.length > 0 ? corpus : [defaultCorpusPath]).map((p) => (p === '-' ? 'stdin' : basename(p, extname(p)) || basename(p)));
  const name = stems.slice(0, 3).join('+') + (stems.length > 3 ? `+${stems.length - 3}-more` : '');
  return `${name}.json`;
}

/** `book.json` → `book.ckpt.json`. */
export function checkpointPathFor(output: string): string {
  return output.replace(/(\.json)?$/, '.ckpt.json');
}

/** The table's checks of every option, and the rules between options; throws a usage error naming the option. */
export function validateTrainOptions(o: TrainOptions): void {
  for (const [key, spec] of Object.entries(MODEL_OPTIONS)) checkOption(spec as OptionSpec, o.model[key as keyof typeof o.model]);
  for (const [key, spec] of Object.entries(TRAIN_OPTIONS)) {
    const v = o[key as keyof TrainOptions];
    if (key === 'output' || key === 'checkpoint' || v !== undefined) checkOption(spec as OptionSpec, v);
  }
  if (o.valSplit === 'random' && o.eos === 'none') {
    throw new RnnError('--val-split random holds out whole lines or paragraphs', {
      expected: '--eos line or paragraph', got: '--eos none', kind: 'usage', hint: 'with --eos none the text has no sequences to choose: keep --val-split tail',
    });
  }
  if (o.extendVocab && o.initFrom === null) {
    throw new RnnError('--extend-vocab extends the vocabulary of --init-from', { expected: '--init-from base.json', got: 'no --init-from', kind: 'usage' });
  }
  validateVariants(o.model);
}
