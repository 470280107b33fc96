import { basename, extname } from 'node:path';
import { defaultModelConfig, validateVariants, type ModelConfig } from '../engine/config.js';
import { RnnError } from '../errors.js';
import { defaultCorpusPath } from '../tokenizer/corpus.js';
import type { EosMode } from '../tokenizer/segment.js';
import type { ClipMode } from './clip.js';
import { defaultLr, type OptimizerKind } from './optimizers.js';

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
  /** Evaluations without improvement before stopping; null: never stop early. */
  patience: number | null;
  seed: number;
  output: string;
  checkpoint: string;
  checkpointEvery: number;
  evalEvery: number;
  /** Steps between printed samples; 0: none. */
  sampleEvery: number;
  threads: number;
  /** Keep the N best models by validation loss as files named with their step and loss (0: none). */
  keep: number;
  /** A trained model to start from (fine-tuning: its weights, a fresh optimiser); null: a new model. */
  initFrom: string | null;
  /** With initFrom: the new corpus's characters that the base lacks get ids of their own [else <UNK>]. */
  extendVocab: boolean;
  /** What is held out: the corpus's tail, or whole lines (paragraphs) chosen by the seed. */
  valSplit: ValSplit;
}

export type ValSplit = 'tail' | 'random';
export const VAL_SPLITS: readonly ValSplit[] = ['tail', 'random'];

export const trainDefaults = {
  eos: 'line' as EosMode,
  minCount: 1,
  maxVocab: null,
  valFraction: 0.05,
  seqLength: 64,
  batchSize: 32,
  optimizer: 'adam' as OptimizerKind,
  lrDecay: 0.85,
  lrDecayEvery: 500,
  lrDecayStart: 1000,
  clip: 5,
  clipMode: 'norm' as ClipMode,
  epochs: null,
  steps: null,
  maxTime: 600,
  patience: null,
  checkpointEvery: 200,
  evalEvery: 200,
  sampleEvery: 0,
  keep: 0,
  initFrom: null,
  extendVocab: false,
  valSplit: 'tail' as ValSplit,
};

/**
 * The model `rnn train` builds unless told otherwise: an LSTM of 2×192 with dropout 0.2 between
 * the layers, not char-rnn's 2×128 without dropout. Measured on tinyshakespeare (seed 1, 10 min):
 * 2×128 without dropout overfits and levels off at 1.62–1.63 nats/char whatever the schedule
 * (train ~1.29); 2×128 with dropout 0.25 is still at 1.6155 after 10 min; 2×192 with dropout 0.2
 * passes 1.6 within a few thousand steps (notes/defaults.md).
 */
export const trainModelDefaults: Omit<ModelConfig, 'vocabSize'> = { ...defaultModelConfig, hidden: 192, dropout: 0.2 };

/** What a caller of the library may give: any subset, the model's shape included. */
export type TrainOptionsInput = Partial<Omit<TrainOptions, 'model'>> & { model?: Partial<TrainOptions['model']> };

/** The options a resumed run may change: its limits, its threads, and where its corpus now is. */
export type ResumeOverrides = Partial<Pick<TrainOptions, 'steps' | 'epochs' | 'maxTime' | 'patience' | 'threads' | 'corpus'>>;

/**
 * Fills in the defaults (an option given as undefined takes its default); an option the library
 * does not know is an error, not silently ignored.
 */
export function defaultTrainOptions(given: TrainOptionsInput = {}): TrainOptions {
  const partial = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as TrainOptionsInput;
  const optimizer = partial.optimizer ?? trainDefaults.optimizer;
  const model = { ...trainModelDefaults, ...Object.fromEntries(Object.entries(partial.model ?? {}).filter(([, v]) => v !== undefined)) };
  const corpus = partial.corpus ?? [];
  const output = partial.output ?? outputFor(corpus);
  const defaults: TrainOptions = {
    corpus,
    ...trainDefaults,
    lr: defaultLr(optimizer, model.hidden),
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
  return { ...defaults, ...partial, model };
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

/** "90", "90s", "10m", "1.5h" → seconds. */
export function parseDuration(s: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$/.exec(s);
  if (!m) throw new RnnError('invalid value for --max-time', { expected: 'a duration such as 90s, 10m or 1.5h', got: JSON.stringify(s), kind: 'usage' });
  const v = Number(m[1]) * ({ s: 1, m: 60, h: 3600 } as const)[(m[2] ?? 's') as 's' | 'm' | 'h'];
  if (!(v > 0)) throw new RnnError('invalid value for --max-time', { expected: 'a positive duration', got: JSON.stringify(s), kind: 'usage' });
  return v;
}

/** Checks that the options make sense together; throws a usage error naming the option. */
export function validateTrainOptions(o: TrainOptions): void {
  const bad = (opt: string, expected: string, got: unknown): never => {
    throw new RnnError(`invalid value for ${opt}`, { expected, got: String(got), kind: 'usage' });
  };
  const posInt = (opt: string, v: number, max = 1e9) => {
    if (!Number.isInteger(v) || v < 1 || v > max) bad(opt, `a whole number from 1 to ${max}`, v);
  };
  posInt('--hidden', o.model.hidden, 65536);
  posInt('--layers', o.model.layers, 64);
  posInt('--seq-length', o.seqLength, 100000);
  posInt('--batch-size', o.batchSize, 65536);
  posInt('--min-count', o.minCount);
  posInt('--checkpoint-every', o.checkpointEvery);
  posInt('--eval-every', o.evalEvery);
  if (o.maxVocab !== null) posInt('--max-vocab', o.maxVocab, 1 << 21);
  if (o.epochs !== null) posInt('--epochs', o.epochs);
  if (o.steps !== null) posInt('--steps', o.steps);
  if (o.patience !== null) posInt('--patience', o.patience);
  if (!Number.isInteger(o.sampleEvery) || o.sampleEvery < 0) bad('--sample-every', 'a whole number ≥ 0', o.sampleEvery);
  if (!Number.isInteger(o.threads) || o.threads < 0 || o.threads > 256) bad('--threads', 'a whole number from 1 to 256', o.threads);
  if (!(o.model.dropout >= 0 && o.model.dropout < 1)) bad('--dropout', 'a probability in [0, 1)', o.model.dropout);
  if (!(o.valFraction >= 0 && o.valFraction < 1)) bad('--val-fraction', 'a fraction in [0, 1)', o.valFraction);
  if (!(o.lr > 0 && Number.isFinite(o.lr))) bad('--lr', 'a positive number', o.lr);
  if (!(o.lrDecay > 0 && o.lrDecay <= 1)) bad('--lr-decay', 'a factor in (0, 1]', o.lrDecay);
  if (!(o.clip >= 0)) bad('--clip', 'a number ≥ 0 (0 disables clipping)', o.clip);
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) bad('--seed', 'a whole number from 0 to 4294967295', o.seed);
  if (!Number.isInteger(o.keep) || o.keep < 0 || o.keep > 1e6) bad('--keep', 'a whole number ≥ 0', o.keep);
  if (!VAL_SPLITS.includes(o.valSplit)) bad('--val-split', VAL_SPLITS.join(' or '), o.valSplit);
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
