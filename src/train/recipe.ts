import type { ModelConfig } from '../engine/config.js';
import { paramCount } from '../engine/memory.js';
import { AUTO_EPOCHS, TIME_BATCH_SIZE } from '../options.js';

/**
 * The default recipe: what `rnn train` picks for the options a user leaves out, from the corpus
 * and the budget instead of one fixed model (measured on four corpora in notes/defaults.md).
 *   epochs: a run on a small corpus stops after AUTO_EPOCHS passes (options.ts), where a model sized
 *     to it has given its best (more only overfit), unless --epochs or --steps is given; a
 *     layer-normalised LSTM learns as much from one pass as the plain cell from LN_PASSES: it is
 *     sized as the plain cell would be, but stops after AUTO_EPOCHS / LN_PASSES, and its dropout
 *     counts each pass LN_PASSES times;
 *   hidden: the widest of WIDTHS with at most PARAMS_PER_CHAR weights per training character (the
 *     data it can generalise from) that sees at least CHARS_PER_PARAM characters per weight in the
 *     budget: its epochs, steps, or time at this machine's measured speed (the steps it can take);
 *   dropout: DROPOUT_PER_DOUBLING per doubling of the passes the run will make over the corpus
 *     (none for a single pass), at most MAX_DROPOUT, scaled down for a text more predictable than
 *     prose: by its bits per character under deflate over PROSE_BITS, when that is below 1, but by
 *     no less than MIN_DROPOUT_SHARE (code overfits less in the same passes, and gains from less noise);
 *   batch: TIME_BATCH_SIZE streams (options.ts) when the time, not the epoch limit, ends the run:
 *     more steps than the default --batch-size takes in the same characters and time, and where
 *     time is short more updates learn more (unless --batch-size, --steps or --epochs is given).
 */
export const WIDTHS = [512, 384, 256, 192, 128, 96, 64] as const;
export const PARAMS_PER_CHAR = 6;
export const CHARS_PER_PARAM = 4;
export const DROPOUT_PER_DOUBLING = 0.12;
export const MAX_DROPOUT = 0.5;
/** Deflate's bits per character below which a text counts as more predictable than prose (tinyshakespeare: 3.1). */
export const PROSE_BITS = 2.8;
/** The least share of its dropout a predictable text keeps (TypeScript's declarations, 0.7 bits/char: 0.1 overfits, 0.15 is best). */
export const MIN_DROPOUT_SHARE = 0.3;

/** The plain cell's passes over the corpus that one pass of a layer-normalised LSTM learns as much as (its loss at 1,000 steps is the plain cell's at 5,000). */
export const LN_PASSES = 4;

export type Shape = Omit<ModelConfig, 'vocabSize' | 'hidden' | 'dropout'>;

/** What one pass over the corpus is worth to this model, in the plain cell's passes. */
export function passWorth(shape: Pick<ModelConfig, 'cell' | 'layerNorm'>): number {
  return shape.cell === 'lstm' && shape.layerNorm ? LN_PASSES : 1;
}

/** The epoch limit of a run given neither --epochs nor --steps: AUTO_EPOCHS of the plain cell's passes. */
export function epochLimit(shape: Pick<ModelConfig, 'cell' | 'layerNorm'>): number {
  return AUTO_EPOCHS / passWorth(shape);
}

export interface RecipeInput {
  shape: Shape;
  vocabSize: number;
  trainTokens: number;
  /** Deflate's bits per character of the training text (see PROSE_BITS). */
  bitsPerChar: number;
  /** Characters per training step (B·T) of a --steps budget (where the batch is the user's). */
  stepChars: number;
  /** Streams per step, and whether the recipe may take TIME_BATCH_SIZE instead (not when the user gave the batch or the budget). */
  batchSize: number;
  chooseBatch: boolean;
  /** The budget: the totals given; `epochs` (which sizes the model) is AUTO_EPOCHS where none was given. */
  steps: number | null;
  epochs: number | null;
  /** The run's epoch limit: `epochs`, or epochLimit() of the model where none was given. */
  epochLimit: number | null;
  maxTime: number | null;
  /** What the user gave; null: the recipe picks. */
  hidden: number | null;
  dropout: number | null;
  /** Training characters per second of a model this wide with this batch on this machine (measured; only asked under a time budget). */
  speed(hidden: number, batchSize: number): Promise<number>;
}

export interface Recipe {
  hidden: number;
  dropout: number;
  /** The passes over the corpus the budget allows this model, within its epoch limit (Infinity: no limit). */
  epochs: number;
  /** TIME_BATCH_SIZE where the recipe takes it; null: the run's own. */
  batchSize: number | null;
  /** The measured speed, when a time budget asked for it. */
  charsPerSecond: number | null;
}

export async function chooseRecipe(r: RecipeInput): Promise<Recipe> {
  const params = (hidden: number) => paramCount({ ...r.shape, hidden, vocabSize: r.vocabSize });
  const speeds = new Map<number, number>();
  // timed at the batch a time-limited run takes (the one speed matters to)
  const timedBatch = r.chooseBatch ? TIME_BATCH_SIZE : r.batchSize;
  const speed = async (hidden: number) => speeds.get(hidden) ?? speeds.set(hidden, await r.speed(hidden, timedBatch)).get(hidden)!;
  // the passes over the corpus that the budget allows a model this wide
  const epochsFor = async (hidden: number): Promise<number> => {
    let chars = r.steps !== null ? r.steps * r.stepChars : Infinity;
    if (r.maxTime !== null) chars = Math.min(chars, r.maxTime * (await speed(hidden)));
    return Math.min(r.epochs ?? Infinity, chars / r.trainTokens);
  };
  let hidden = r.hidden;
  for (const h of hidden === null ? WIDTHS : []) {
    if (params(h) > PARAMS_PER_CHAR * r.trainTokens) continue;
    if ((await epochsFor(h)) * r.trainTokens < CHARS_PER_PARAM * params(h)) continue; // what the budget lets it see
    hidden = h;
    break;
  }
  hidden ??= WIDTHS[WIDTHS.length - 1];
  const limit = r.epochLimit ?? Infinity;
  const epochs = Math.min(await epochsFor(hidden), limit);
  const timeLimited = r.maxTime !== null && epochs < limit;
  const batchSize = r.chooseBatch && timeLimited ? TIME_BATCH_SIZE : null;
  const dropout = r.dropout ?? dropoutFor(epochs * passWorth(r.shape), r.bitsPerChar);
  return { hidden, dropout, epochs, batchSize, charsPerSecond: speeds.get(hidden) ?? null };
}

/** DROPOUT_PER_DOUBLING per doubling of the passes over the corpus (none for one pass), ×dropoutShare(bitsPerChar), rounded to 0.05. */
export function dropoutFor(epochs: number, bitsPerChar: number): number {
  const p = Math.min(MAX_DROPOUT, DROPOUT_PER_DOUBLING * Math.log2(Math.max(1, epochs))) * dropoutShare(bitsPerChar);
  return Math.round(p * 20) / 20;
}

/** The share of the dropout a text gets: 1 for prose and anything less predictable, bitsPerChar / PROSE_BITS below it (at least MIN_DROPOUT_SHARE). */
export function dropoutShare(bitsPerChar: number): number {
  return Math.max(MIN_DROPOUT_SHARE, Math.min(1, bitsPerChar / PROSE_BITS));
}
