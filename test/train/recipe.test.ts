/**
 * Issue 16, item 2: the default model follows from the corpus and the budget. The choice is a
 * pure function of the corpus size, the budget and a speed (measured by the caller).
 */
import { describe, expect, it } from 'vitest';
import { defaultModelConfig } from '../../src/engine/config.ts';
import { paramCount } from '../../src/engine/memory.ts';
import { deflateBitsPerChar } from '../../src/api/recipe.ts';
import { TIME_BATCH_SIZE } from '../../src/options.ts';
import {
  chooseRecipe, dropoutFor, DROPOUT_PER_DOUBLING, epochLimit, LN_PASSES, MAX_DROPOUT, MIN_DROPOUT_SHARE, PARAMS_PER_CHAR, PROSE_BITS, WIDTHS, type RecipeInput,
} from '../../src/train/recipe.ts';

const { hidden: _h, dropout: _d, ...shape } = defaultModelConfig;
/** A machine where every width trains at the same speed (no time limit binds) unless told. */
const input = (over: Partial<RecipeInput>): RecipeInput => ({
  shape, vocabSize: 65, trainTokens: 1_000_000, bitsPerChar: 3, stepChars: 2048, batchSize: 32, chooseBatch: false, steps: null, epochs: 40, maxTime: null,
  hidden: null, dropout: null, speed: async () => 1e9, ...over,
  epochLimit: over.epochLimit !== undefined ? over.epochLimit : over.epochs !== undefined ? over.epochs : 40, // the plain cell's: the one that sizes it
});
const params = (hidden: number, vocabSize = 65) => paramCount({ ...shape, hidden, vocabSize });

describe('#16 the recipe: width and dropout from the corpus and the budget', () => {
  it('the widest model with at most PARAMS_PER_CHAR weights per training character', async () => {
    for (const trainTokens of [300, 85_000, 207_000, 1_060_000, 50_000_000]) {
      const r = await chooseRecipe(input({ trainTokens }));
      const fits = WIDTHS.filter((h) => params(h) <= PARAMS_PER_CHAR * trainTokens);
      expect(r.hidden).toBe(fits[0] ?? WIDTHS.at(-1));
    }
    expect((await chooseRecipe(input({ trainTokens: 85_000, vocabSize: 27 }))).hidden).toBeLessThan((await chooseRecipe(input({ trainTokens: 1_060_000 }))).hidden);
  });

  it('within a time limit, a slower machine gets a narrower model (and only widths the data allows are timed)', async () => {
    const timed: number[] = [];
    const speedOf = (scale: number) => async (h: number) => { timed.push(h); return scale / params(h); };
    const fast = await chooseRecipe(input({ trainTokens: 1_060_000, epochs: null, maxTime: 600, speed: speedOf(4e10) }));
    expect(timed.every((h) => params(h) <= PARAMS_PER_CHAR * 1_060_000)).toBe(true);
    const slow = await chooseRecipe(input({ trainTokens: 1_060_000, epochs: null, maxTime: 600, speed: speedOf(4e9) }));
    expect(slow.hidden).toBeLessThan(fast.hidden);
    expect(slow.charsPerSecond).toBeCloseTo(4e9 / params(slow.hidden));
    // the epochs: the characters the time allows over the corpus
    expect(slow.epochs).toBeCloseTo((600 * slow.charsPerSecond!) / 1_060_000);
  });

  it('without a time limit nothing is timed; a step limit counts B·T characters a step', async () => {
    const r = await chooseRecipe(input({ steps: 1000, epochs: null, speed: async () => { throw new Error('timed'); } }));
    expect(r.epochs).toBeCloseTo((1000 * 2048) / 1_000_000);
    expect(r.charsPerSecond).toBeNull();
  });

  it('dropout grows with the passes over the corpus: none for one, DROPOUT_PER_DOUBLING per doubling (to 0.05), at most MAX_DROPOUT', () => {
    const prose = PROSE_BITS;
    expect(dropoutFor(0.3, prose)).toBe(0);
    expect(dropoutFor(1, prose)).toBe(0);
    expect(dropoutFor(2, prose)).toBe(Math.round(DROPOUT_PER_DOUBLING * 20) / 20);
    expect(dropoutFor(4, prose)).toBe(Math.round(2 * DROPOUT_PER_DOUBLING * 20) / 20);
    expect(dropoutFor(1e6, prose)).toBe(MAX_DROPOUT);
    expect(dropoutFor(1e6, 8)).toBe(MAX_DROPOUT); // less predictable than prose: no more than prose
  });

  it('a text more predictable than prose gets less: ×bits per character / PROSE_BITS, at least MIN_DROPOUT_SHARE', async () => {
    expect(dropoutFor(1e6, PROSE_BITS / 2)).toBe(MAX_DROPOUT / 2);
    expect(dropoutFor(1e6, 0.67)).toBe(Math.round(MAX_DROPOUT * MIN_DROPOUT_SHARE * 20) / 20); // 0.67 / 2.8 = 0.24: the least share
    expect((await chooseRecipe(input({ bitsPerChar: PROSE_BITS / 5 }))).dropout).toBe(dropoutFor(40, PROSE_BITS / 5));
    // measured: deflate codes English prose in more than PROSE_BITS per character, a repeated declaration in far fewer
    const ids = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
    const prose = 'It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of foolishness, it was the epoch of belief, it was the epoch of incredulity, it was the season of Light, it was the season of Darkness, it was the spring of hope, it was the winter of despair, we had everything before us, we had nothing before us, we were all going direct to Heaven, we were all going direct the other way.';
    expect(deflateBitsPerChar(ids(prose))).toBeGreaterThan(PROSE_BITS);
    const declarations = Array.from({ length: 40 }, (_, i) => `    readonly field${i}: number;\n`).join('');
    expect(deflateBitsPerChar(ids(declarations))).toBeLessThan(PROSE_BITS / 2);
    expect(deflateBitsPerChar(new Uint16Array(100).fill(300))).toBeLessThan(1); // two bytes an id past 256 symbols
  });

  it(`the batch: ${TIME_BATCH_SIZE} streams where the time limit ends the run before the epoch limit (timed at that batch), else the run's own`, async () => {
    const batches: number[] = [];
    const speed = (charsPerSecond: number) => async (_h: number, B: number) => { batches.push(B); return charsPerSecond; };
    const timed = { trainTokens: 1_000_000, epochs: 40, maxTime: 600, chooseBatch: true };
    const short = await chooseRecipe(input({ ...timed, speed: speed(20_000) })); // 12 epochs' worth of time
    expect(short.batchSize).toBe(TIME_BATCH_SIZE);
    expect(batches.every((B) => B === TIME_BATCH_SIZE)).toBe(true);
    expect((await chooseRecipe(input({ ...timed, speed: speed(1e6) }))).batchSize).toBeNull(); // 40 epochs in 40 s
    expect((await chooseRecipe(input({ ...timed, chooseBatch: false, speed: speed(20_000) }))).batchSize).toBeNull();
    expect(batches.at(-1)).toBe(32); // a batch the recipe may not change is timed as it is
    expect((await chooseRecipe(input({ ...timed, maxTime: null, steps: 100, chooseBatch: true }))).batchSize).toBeNull();
  });

  it('a layer-normalised LSTM: sized as the plain cell, stopped after 1/LN_PASSES of its passes, each counted LN_PASSES times in the dropout', async () => {
    const ln = { ...shape, layerNorm: true };
    const small = { trainTokens: 85_000, vocabSize: 27 }; // the epoch limit binds
    const plain = await chooseRecipe(input(small));
    const r = await chooseRecipe(input({ ...small, shape: ln, epochLimit: epochLimit(ln) }));
    expect(r.hidden).toBe(plain.hidden);
    expect([plain.epochs, r.epochs]).toEqual([40, 40 / LN_PASSES]);
    expect(r.dropout).toBe(dropoutFor(40, 3));
    // the time binds: the passes it allows, LN_PASSES times each in the dropout
    const timed = await chooseRecipe(input({ shape: ln, epochLimit: epochLimit(ln), maxTime: 600, speed: async () => 10_000 }));
    expect(timed.epochs).toBeCloseTo(6, 6);
    expect(timed.dropout).toBe(dropoutFor(6 * LN_PASSES, 3));
    expect(timed.dropout).toBeGreaterThan(dropoutFor(6, 3));
  });

  it('what the user gives wins', async () => {
    const r = await chooseRecipe(input({ hidden: 77, dropout: 0.05, trainTokens: 300 }));
    expect([r.hidden, r.dropout]).toEqual([77, 0.05]);
    expect((await chooseRecipe(input({ hidden: 77 }))).dropout).toBe(dropoutFor(40, 3));
  });
});
