import { RnnError } from '../errors.js';
import { checkOption, int, SAMPLE_OPTIONS } from '../options.js';
import type { LanguageModel } from '../engine/language-model.js';
import { Rng, randomSeed } from '../util/rng.js';
import { TokenSampler, resolvePickOptions, type PickOptions } from './distribution.js';
import { EOS_ID, UNK_ID, type TextVocab } from '../tokenizer/tokens.js';

/**
 * Generation. A sequence starts as in training: input <EOS>, zero state. The prime is fed after
 * it, then each drawn token is fed back in, one at a time.
 *   length N: one stream of N generated tokens; a drawn <EOS> is emitted as its separator ('\n' in
 *             line mode) and generation goes on with the carried state, as in training.
 *   count K:  K sequences, each ending at a drawn <EOS> (emitted as its separator); the state is
 *             reset (zero, <EOS>, prime) between them. A sequence that reaches `maxSequenceLength`
 *             tokens without an <EOS> is cut there (and its separator emitted) — counted as truncated.
 * The prime is emitted (as given) before each sequence unless `echoPrime` is false; N and the cap
 * count generated tokens only.
 */
export interface SampleOptions extends PickOptions {
  /** Generated tokens of one stream [500 when neither length nor count is given]. */
  length?: number;
  /** Sequences, each ending at <EOS>. Exclusive with `length`. */
  count?: number;
  /** Cap on the tokens of one `count` sequence [2000]. */
  maxSequenceLength?: number;
  /** Text fed after the initial <EOS>; characters the vocabulary lacks become <UNK>. */
  prime?: string;
  /** Emit the prime before the generated text [true]. */
  echoPrime?: boolean;
  /** Seed of the sampler's Rng [random; see `SampleRun.seed`]. */
  seed?: number;
  /** An Rng to draw from instead of a seeded one (it is advanced). */
  rng?: Rng;
  /** Let <UNK> be drawn [false: it prints as U+FFFD, so it is left out]. */
  allowUnk?: boolean;
}

export interface SampleStats {
  /** Tokens generated (prime excluded, <EOS>s included). */
  tokens: number;
  /** Sequences completed (count mode: ended at <EOS> or cut). */
  sequences: number;
  /** Count-mode sequences cut at `maxSequenceLength`. */
  truncated: number;
}

/** A lazy generation: iterate it for the text chunks (one per token), as they are produced. */
export interface SampleRun extends Iterable<string> {
  /** The seed used (the given one, or the random one chosen); null when an Rng was passed. */
  readonly seed: number | null;
  /** Prime characters not in the vocabulary (fed as <UNK>). */
  readonly unknownInPrime: number;
  /** Human-readable warnings known before generation (e.g. unknown prime characters). */
  readonly warnings: readonly string[];
  /** The cap on a `count` sequence's tokens. */
  readonly maxSequenceLength: number;
  /** Filled in as the run is iterated. */
  readonly stats: SampleStats;
}

/** Checks the options on their own, before any model is loaded: an impossible one is an RnnError 'usage'. */
export function checkSampleOptions(options: SampleOptions): void {
  resolvePickOptions(options);
  const shaping = (['temperature', 'topK', 'topP'] as const).filter((k) => options[k] !== undefined);
  if (options.argmax && shaping.length > 0) {
    const flag = { temperature: '--temperature', topK: '--top-k', topP: '--top-p' };
    throw new RnnError('--argmax takes the most probable character: it draws nothing', {
      expected: '--argmax alone, or a draw shaped by --temperature, --top-k, --top-p', got: `--argmax with ${shaping.map((k) => flag[k]).join(', ')}`, kind: 'usage',
    });
  }
  if (options.length !== undefined && options.count !== undefined) {
    throw new RnnError('--length and --count exclude each other', {
      expected: 'one of them', got: `--length ${options.length} --count ${options.count}`, kind: 'usage',
      hint: '--length N gives one stream of N characters, --count K gives K sequences',
    });
  }
  for (const key of ['length', 'count', 'seed'] as const) if (options[key] !== undefined) checkOption(SAMPLE_OPTIONS[key], options[key]);
  if (options.maxSequenceLength !== undefined) checkOption({ ...SAMPLE_OPTIONS.length, flag: '--max-length', type: int(1) }, options.maxSequenceLength);
}

/** Validates the options (RnnError 'usage') and encodes the prime; generation starts on iteration. */
export function sampleStream(model: LanguageModel, vocab: TextVocab, options: SampleOptions = {}): SampleRun {
  checkSampleOptions(options);
  if (model.config.bidirectional) {
    throw new RnnError('cannot sample from a bidirectional model', {
      expected: 'a left-to-right model', got: 'a bidirectional (infill) model',
      hint: 'use `rnn fill` with a bidirectional model, or train one without --bidirectional',
    });
  }
  const V = model.config.vocabSize;
  if (vocab.size !== V) {
    throw new RnnError('the vocabulary does not match the model', { expected: `${V} tokens`, got: `${vocab.size}` });
  }
  const prime = options.prime ?? '';
  const enc = vocab.encode(prime, { start: false });
  const warnings: string[] = [];
  if (enc.unknown > 0) {
    const s = enc.unknown === 1 ? 'character is' : 'characters are';
    warnings.push(`${enc.unknown} prime ${s} not in the model's vocabulary and became <UNK>`);
  }
  const seed = options.rng ? null : (options.seed ?? randomSeed());
  const stats: SampleStats = { tokens: 0, sequences: 0, truncated: 0 };
  const cap = options.maxSequenceLength ?? 2000;
  const run: SampleRun = {
    seed,
    unknownInPrime: enc.unknown,
    warnings,
    maxSequenceLength: cap,
    stats,
    [Symbol.iterator]: () => generate(model, vocab, {
      sampler: new TokenSampler(V, { ...options, exclude: options.allowUnk ? [] : [UNK_ID] }),
      rng: options.rng ?? new Rng(seed!),
      start: startIds(enc.ids),
      prime: options.echoPrime === false ? '' : prime,
      length: options.count === undefined ? (options.length ?? 500) : -1,
      count: options.count ?? 0,
      cap,
      stats,
    }),
  };
  return run;
}

function startIds(prime: ArrayLike<number>): Int32Array {
  const x = new Int32Array(prime.length + 1);
  x[0] = EOS_ID;
  for (let i = 0; i < prime.length; i++) x[i + 1] = prime[i];
  return x;
}

interface Plan {
  sampler: TokenSampler;
  rng: Rng;
  /** <EOS> then the prime's ids: the input of a sequence's first block. */
  start: Int32Array;
  /** Emitted before each sequence. */
  prime: string;
  /** ≥ 0: stream mode; -1: count mode. */
  length: number;
  count: number;
  cap: number;
  stats: SampleStats;
}

function* generate(model: LanguageModel, vocab: TextVocab, p: Plan): Generator<string, void, undefined> {
  const V = model.config.vocabSize;
  const text: string[] = []; // id → its text, decoded once
  for (let id = 0; id < V; id++) text.push(vocab.decode([id]));
  const state = model.newState(1);
  const x = new Int32Array(1);
  // A fresh sequence: zero state, feed <EOS> + prime as one block; returns the next token.
  const begin = (): number => {
    state.fill(0);
    const logits = model.logits(p.start, p.start.length, 1, state);
    return p.sampler.pick(logits, (p.start.length - 1) * V, p.rng);
  };
  const step = (id: number): number => {
    x[0] = id;
    return p.sampler.pick(model.logits(x, 1, 1, state), 0, p.rng);
  };
  if (p.length >= 0) {
    if (p.prime) yield p.prime;
    if (p.length === 0) return;
    let id = begin();
    for (;;) {
      p.stats.tokens++;
      yield text[id];
      if (p.stats.tokens >= p.length) return;
      id = step(id);
    }
  }
  for (let s = 0; s < p.count; s++) {
    if (p.prime) yield p.prime;
    let id = begin();
    let n = 0;
    for (;;) {
      p.stats.tokens++;
      n++;
      if (id === EOS_ID) break;
      yield text[id];
      if (n >= p.cap) {
        p.stats.truncated++;
        break;
      }
      id = step(id);
    }
    p.stats.sequences++;
    yield text[EOS_ID];
  }
}

/** The whole text of a run (library convenience; the CLI streams `sampleStream` instead). */
export function sample(model: LanguageModel, vocab: TextVocab, options: SampleOptions = {}): {
  text: string; seed: number | null; unknownInPrime: number; warnings: readonly string[]; stats: SampleStats;
} {
  const run = sampleStream(model, vocab, options);
  let text = '';
  for (const chunk of run) text += chunk;
  return { text, seed: run.seed, unknownInPrime: run.unknownInPrime, warnings: run.warnings, stats: run.stats };
}

