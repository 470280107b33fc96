import { deflateRawSync } from 'node:zlib';
import { createModel } from '../engine/create.js';
import { modelBytes } from '../engine/memory.js';
import { Batches } from '../train/batches.js';
import { defaultLr } from '../train/optimizers.js';
import type { Split } from '../tokenizer/corpus.js';
import type { TokenIds } from '../tokenizer/vocab.js';
import { trainWorkload, type TrainOptions } from '../train/options.js';
import { AUTO_EPOCHS, TIME_BATCH_LR_SHARE } from '../options.js';
import { chooseRecipe, dropoutShare, epochLimit, type Recipe } from '../train/recipe.js';
import { Rng } from '../util/rng.js';
import { fmtDuration } from '../util/format.js';
import { getKernels } from './kernels.js';

/** What the user gave of the options the recipe would otherwise pick (undefined: left to it). */
export interface RecipeGiven {
  hidden?: number;
  dropout?: number;
  epochs?: number | null;
  steps?: number | null;
  maxTime?: number | null;
  lr?: number;
  batchSize?: number;
}

/** Steps timed per width (the fastest counts), after one to warm up. */
const TIMED_STEPS = 3;
/**
 * A whole run's speed as a share of the timed forward and backward passes: the optimiser step,
 * clipping, evaluation and saving take the rest (measured: 87% for 2×384 on tinyshakespeare).
 */
const STEP_SHARE = 0.9;
/** The training characters deflated to measure how predictable the text is: at most the first 1 Mi. */
const DEFLATED_CHARS = 1 << 20;

/**
 * A new run's recipe (train/recipe.ts) written into `opts`: the epoch limit, the width and dropout
 * the user left out, and the learning rate that follows the width unless given. Returns one line
 * saying what was chosen and why, or null when the user chose all of it.
 */
export async function applyRecipe(opts: TrainOptions, given: RecipeGiven, split: Split, vocabSize: number, threads: number): Promise<string | null> {
  const limited = given.epochs !== undefined || given.steps !== undefined;
  const capped = !limited; // the recipe's epoch limit applies
  // the default --max-time is a safety net behind a given --steps or --epochs, not the budget to plan for
  const maxTime = limited && given.maxTime === undefined ? null : opts.maxTime;
  // the plain cell's limit sizes the model; a layer-normalised one stops sooner (epochLimit)
  const sizingEpochs = limited ? opts.epochs : AUTO_EPOCHS;
  if (capped) opts.epochs = epochLimit(opts.model);
  // the batch is the recipe's only under its own budget: the time and the epoch limit
  const chooseBatch = !limited && given.batchSize === undefined;
  // nothing to choose, and nothing to time: the epoch limit is said in --help and the stop line
  if (given.hidden !== undefined && given.dropout !== undefined && !chooseBatch) return null;
  const { hidden: _h, dropout: _d, ...shape } = opts.model;
  const bitsPerChar = deflateBitsPerChar(split.train);
  const recipe = await chooseRecipe({
    shape, vocabSize, trainTokens: split.trainTokens, bitsPerChar, stepChars: opts.batchSize * opts.seqLength,
    batchSize: opts.batchSize, chooseBatch,
    steps: opts.steps, epochs: sizingEpochs, epochLimit: opts.epochs, maxTime, hidden: given.hidden ?? null, dropout: given.dropout ?? null,
    speed: (hidden, B) => measureSpeed({ ...opts, batchSize: Math.min(B, opts.batchSize) }, hidden, vocabSize, split.train, threads),
  });
  opts.model = { ...opts.model, hidden: recipe.hidden, dropout: recipe.dropout };
  if (recipe.batchSize !== null) opts.batchSize = Math.min(opts.batchSize, recipe.batchSize); // a short text may have fewer already
  if (given.lr === undefined) opts.lr = recipeLr(opts, recipe);
  return describeRecipe(opts, given, recipe, { trainTokens: split.trainTokens, bitsPerChar }, capped, maxTime);
}

/** The default rate for the model, ×TIME_BATCH_LR_SHARE (to 3 digits, so that `--lr` repeats it) with the recipe's fewer streams. */
function recipeLr(opts: TrainOptions, r: Recipe): number {
  const lr = defaultLr(opts.optimizer, opts.model);
  return r.batchSize === null ? lr : Number((lr * TIME_BATCH_LR_SHARE).toPrecision(3));
}

/**
 * "recipe: 2×384, dropout 0.4, 16 streams at 0.75× the rate (more steps where time is short) for 1,059,624 training characters
 * and 10m00s at 18,908 chars/s, ~11 epochs (--hidden, --dropout, --batch-size, --lr to choose)"; a text more predictable than prose says
 * so after its dropout; null when the user chose all of it.
 */
function describeRecipe(opts: TrainOptions, given: RecipeGiven, r: Recipe, text: { trainTokens: number; bitsPerChar: number }, capped: boolean, maxTime: number | null): string | null {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const predictable = dropoutShare(text.bitsPerChar) < 1 ? ` (less for a predictable text: ${text.bitsPerChar.toFixed(1)} bits/char deflated)` : '';
  const rateScaled = r.batchSize !== null && given.lr === undefined; // see recipeLr
  const chose = [
    given.hidden === undefined ? `${opts.model.layers}×${r.hidden}` : '',
    given.dropout === undefined ? `dropout ${r.dropout}${predictable}` : '',
    r.batchSize !== null ? `${r.batchSize} streams${rateScaled ? ` at ${TIME_BATCH_LR_SHARE}× the rate` : ''} (more steps where time is short)` : '',
  ].filter(Boolean).join(', ');
  if (!chose) return null; // the user chose the model, and the batch stays
  const budget = [
    maxTime !== null ? `${fmtDuration(maxTime)}${r.charsPerSecond !== null ? ` at ${n(r.charsPerSecond)} chars/s` : ''}` : '',
    opts.steps !== null ? `${n(opts.steps)} steps` : '',
  ].filter(Boolean).join(' or ');
  const epochs = Number.isFinite(r.epochs) ? `, ~${r.epochs < 10 ? r.epochs.toFixed(1) : n(r.epochs)} epochs` : '';
  const why = `${chose} for ${n(text.trainTokens)} training characters${budget ? ` and ${budget}` : ''}${epochs}`;
  // the epoch limit is worth a word only where it stops the run before its time
  const stopsEarly = capped && r.epochs >= opts.epochs!;
  const cap = stopsEarly ? `stops after ${opts.epochs} epochs, before the time runs out (a model sized to its corpus has given its best by then)` : '';
  const change = [given.hidden === undefined ? '--hidden' : '', given.dropout === undefined ? '--dropout' : '', r.batchSize !== null ? '--batch-size' : '', rateScaled ? '--lr' : '', stopsEarly ? '--epochs' : ''].filter(Boolean).join(', ');
  return `recipe: ${why}${cap ? `; ${cap}` : ''} (${change} to choose)`;
}

/** Deflate's bits per character of the start of the training text, its ids as they are stored (one byte each up to 256 symbols). */
export function deflateBitsPerChar(ids: TokenIds): number {
  const n = Math.min(ids.length, DEFLATED_CHARS);
  if (n === 0) return Infinity;
  return (8 * deflateRawSync(new Uint8Array(ids.buffer, ids.byteOffset, n * ids.BYTES_PER_ELEMENT)).length) / n;
}

/**
 * Training characters per second of a model of this width on this machine: its fastest of a few
 * steps (on weights thrown away after). A width whose run would not fit in memory trains at none.
 */
async function measureSpeed(opts: TrainOptions, hidden: number, vocabSize: number, trainIds: ArrayLike<number>, threads: number): Promise<number> {
  const kernels = await getKernels({ threads, backend: opts.kernels ?? undefined });
  try {
    const config = { ...opts.model, hidden, vocabSize };
    if (modelBytes(config, trainWorkload(opts)) > kernels.memoryLimit) return 0;
    const model = createModel(config, kernels, new Rng(0));
    const batches = new Batches(trainIds, opts.batchSize, opts.seqLength);
    const state = model.newState(opts.batchSize);
    const rng = new Rng(0);
    let fastest = Infinity;
    for (let i = 0; i <= TIMED_STEPS; i++) {
      batches.next();
      const start = performance.now();
      model.zeroGrad();
      model.lossAndGrad(batches.x, batches.y, opts.seqLength, opts.batchSize, state, rng);
      if (i > 0) fastest = Math.min(fastest, performance.now() - start);
    }
    return (STEP_SHARE * opts.batchSize * opts.seqLength) / (fastest / 1000);
  } finally {
    kernels.close?.();
  }
}
