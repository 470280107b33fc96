/**
 * The option table: every option a user can give, once — its flag, what it takes (and so the
 * message when a value is wrong), its default and its help. The command line's parsers
 * (cli/options.ts), the library's checks of the same values (train/options.ts, sample/, eval/) and
 * the checks of a checkpoint's recorded options (model-io/checkpoint-state.ts) all derive from it.
 */
import { RnnError } from './errors.js';
import { BACKENDS } from './engine/kernels/backend.js';
import { LR_SCHEDULES } from './train/schedule.js';
import { EOS_MODES } from './tokenizer/segment.js';

/** What an option takes: how it reads from text, which values are valid, and how to say so. */
export interface OptionType<T> {
  /** "a whole number from 1 to 65536" */
  readonly expected: string;
  /** The value of a command-line word; undefined when it is not one. */
  parse(text: string): T | undefined;
  /** Whether a value (from the library, or a file) is one. */
  valid(v: unknown): v is T;
}

export interface OptionSpec<T = unknown> {
  /** '--hidden' */
  readonly flag: string;
  /** One-letter alias: '-o' */
  readonly short?: string;
  /** What follows the flag in --help: '<n>'; absent for a switch. */
  readonly value?: string;
  readonly help: string;
  readonly type: OptionType<T>;
  /** The default when the option is not given (undefined: none, or computed elsewhere; null: off). */
  readonly default?: T | null;
  /** How the default reads in --help when it is not the value itself. */
  readonly defaultText?: string;
  /** null is a value of its own ("no limit"). */
  readonly nullable?: boolean;
  /** A hint for a wrong value. */
  readonly hint?: string;
}

/** A whole number in [min, max]. */
export function int(min: number, max = Number.MAX_SAFE_INTEGER): OptionType<number> {
  const valid = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
  return {
    expected: max === Number.MAX_SAFE_INTEGER ? `a whole number ≥ ${min}` : `a whole number from ${min} to ${max}`,
    parse: (s) => (/^\s*[+-]?\d+\s*$/.test(s) && valid(Number(s)) ? Number(s) : undefined),
    valid,
  };
}

/** A finite number between the bounds (open or closed). */
export function real(o: { min?: number; max?: number; minOpen?: boolean; maxOpen?: boolean }): OptionType<number> {
  const { min = -Infinity, max = Infinity, minOpen = false, maxOpen = false } = o;
  const valid = (v: unknown): v is number =>
    typeof v === 'number' && Number.isFinite(v) && (minOpen ? v > min : v >= min) && (maxOpen ? v < max : v <= max);
  const lo = min === -Infinity ? '' : minOpen ? `> ${min}` : `≥ ${min}`;
  const hi = max === Infinity ? '' : maxOpen ? `< ${max}` : `≤ ${max}`;
  const expected = lo && hi ? `a number in ${minOpen ? '(' : '['}${min}, ${max}${maxOpen ? ')' : ']'}` : `a number ${lo || hi}`.trim();
  return { expected, parse: (s) => (s.trim() !== '' && valid(Number(s)) ? Number(s) : undefined), valid };
}

export function choice<T extends string>(values: readonly T[]): OptionType<T> {
  const valid = (v: unknown): v is T => values.includes(v as T);
  return { expected: `one of ${values.join(', ')}`, parse: (s) => (valid(s) ? s : undefined), valid };
}

export const text: OptionType<string> = { expected: 'a text', parse: (s) => s, valid: (v): v is string => typeof v === 'string' };

export const bool: OptionType<boolean> = {
  expected: 'true or false',
  parse: () => true, // a switch: given means on
  valid: (v): v is boolean => typeof v === 'boolean',
};

/** A value, or "none" → null (no limit). */
export function orNone<T>(of: OptionType<T>): OptionType<T | null> {
  return { expected: `${of.expected}, or none`, parse: (s) => (s.trim() === 'none' ? null : of.parse(s)), valid: (v): v is T | null => v === null || of.valid(v) };
}

/** "90", "90s", "10m", "1.5h" → seconds; "none" → null (no limit). */
export const duration: OptionType<number | null> = orNone<number>({
  expected: 'a duration such as 90s, 10m or 1.5h',
  parse(s) {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$/.exec(s);
    const v = m ? Number(m[1]) * { s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 's' | 'm' | 'h'] : NaN;
    return v > 0 ? v : undefined;
  },
  valid: (v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0,
});

/** Several values, comma-separated: "0.5,1.0,1.5". */
export function list<T>(of: OptionType<T>): OptionType<T[]> {
  return {
    expected: `${of.expected}, or several separated by commas`,
    parse(s) {
      const out = s.split(',').map((t) => of.parse(t.trim()));
      return out.every((v) => v !== undefined) ? (out as T[]) : undefined;
    },
    valid: (v): v is T[] => Array.isArray(v) && v.length > 0 && v.every((x) => of.valid(x)),
  };
}

/** The usage error for a wrong value of an option. */
export function invalidOption(spec: Pick<OptionSpec, 'flag' | 'type' | 'hint'>, got: unknown): RnnError {
  return new RnnError(`invalid value for ${spec.flag}`, {
    expected: spec.type.expected, got: typeof got === 'string' ? JSON.stringify(got) : String(got), hint: spec.hint, kind: 'usage',
  });
}

/** A value given to the library (or read from a file): returned if valid, else the usage error. */
export function checkOption<T>(spec: OptionSpec<T>, v: unknown): T {
  if ((spec.nullable && v === null) || spec.type.valid(v)) return v as T;
  throw invalidOption(spec, v);
}

/** A command-line word: its value, or the usage error. */
export function parseOption<T>(spec: OptionSpec<T>, s: string): T {
  const v = spec.type.parse(s);
  if (v === undefined) throw invalidOption(spec, s);
  return v;
}

// --- the table ---

export const CELLS = ['rnn', 'lstm', 'gru'] as const;
export const ACTIVATIONS = ['tanh', 'relu'] as const;
export const OPTIMIZERS = ['adam', 'adagrad', 'rmsprop', 'sgd'] as const;
export const CLIP_MODES = ['norm', 'value'] as const;
export const VAL_SPLITS = ['tail', 'random'] as const;
/** Past these a model is more than any file or machine here holds. */
export const MAX_HIDDEN = 65_536;
export const MAX_LAYERS = 64;
export const MAX_SEED = 0xffffffff;

/** An entry of the table, its value type taken from `type` (so that its default keeps that type). */
function spec<T>(s: Omit<OptionSpec<T>, 'default'> & { default: NoInfer<T> }): OptionSpec<T> & { readonly default: T };
function spec<T>(s: Omit<OptionSpec<T>, 'default'> & { default: null }): OptionSpec<T> & { readonly default: null };
function spec<T>(s: Omit<OptionSpec<T>, 'default'> & { default?: undefined }): OptionSpec<T>;
function spec<T>(s: OptionSpec<T>): OptionSpec<T> {
  return s;
}
const seed = (help: string) => spec({ flag: '--seed', value: '<n>', help, type: int(0, MAX_SEED), hint: 'e.g. --seed 42' });

/** The model's shape (train, gradcheck). */
export const MODEL_OPTIONS = {
  cell: spec({ flag: '--cell', value: '<kind>', help: 'recurrent cell: rnn, lstm or gru', type: choice(CELLS), default: 'lstm' }),
  hidden: spec({ flag: '--hidden', value: '<n>', help: 'units per layer', type: int(1, MAX_HIDDEN), default: 192 }),
  layers: spec({ flag: '--layers', value: '<n>', help: 'stacked layers', type: int(1, MAX_LAYERS), default: 2 }),
  dropout: spec({ flag: '--dropout', value: '<p>', help: 'dropout while training: between layers, or before the output layer of a one-layer model', type: real({ min: 0, max: 1, maxOpen: true }), default: 0.2 }),
  activation: spec({ flag: '--activation', value: '<fn>', help: 'rnn activation: tanh or relu', type: choice(ACTIVATIONS), default: 'tanh' }),
  peephole: spec({ flag: '--peephole', help: 'lstm: diagonal peephole connections', type: bool, default: false }),
  coupled: spec({ flag: '--coupled', help: 'lstm: coupled input and forget gates', type: bool, default: false }),
  layerNorm: spec({ flag: '--layer-norm', help: 'lstm: layer normalisation in the cell (--no-layer-norm: the plain cell)', type: bool, nullable: true, default: null, defaultText: 'on for an lstm without --peephole or --coupled' }),
  minimal: spec({ flag: '--minimal', help: 'gru: no reset gate (the minimal GRU)', type: bool, default: false }),
  resetAfter: spec({ flag: '--reset-after', help: 'gru: the PyTorch/cuDNN form (reset applied after the matmul)', type: bool, default: false }),
  bidirectional: spec({ flag: '--bidirectional', help: 'forward and backward stacks, for infilling (rnn fill)', type: bool, default: false }),
};

/** Without --checkpoint-every, a checkpoint whenever this many seconds have passed since the last (more for a model whose checkpoint takes over 2% of that to write). */
export const CHECKPOINT_SECONDS = 30;

/**
 * Without --eval-every, evaluations are EVAL_RATIO × the held-out text's length apart in training
 * characters. Validating a character costs from a third of training on one (a small model) to about
 * as much (an LSTM 2×256: the exact evaluation reads one stream, a character at a time, where
 * training runs 32 side by side), so evaluation takes 2–5% of a run whatever the model, batch or
 * corpus (a fixed step count would be 80% of a min-char-rnn-sized run, which trains 25 characters a
 * step). Deterministic, so the history and the best model do not depend on the machine.
 */
export const EVAL_RATIO = 20;

/** The fewest steps between default evaluations: one that improves also writes the model. */
export const MIN_EVAL_EVERY = 100;

/** --eval-every's default for a run: EVAL_RATIO × valTokens characters apart (at least MIN_EVAL_EVERY steps), rounded up to two significant digits. */
export function autoEvalEvery(valTokens: number, batchSize: number, seqLength: number): number {
  const steps = Math.max(MIN_EVAL_EVERY, Math.ceil((EVAL_RATIO * valTokens) / (batchSize * seqLength)));
  const unit = 10 ** (Math.floor(Math.log10(steps)) - 1);
  return Math.ceil(steps / unit) * unit;
}

/** The weight decay of a layer-normalised LSTM unless --weight-decay is given (train/options.ts; tinyshakespeare, 10 min: 1.4490 against 1.4705 without). */
export const LN_WEIGHT_DECAY = 0.1;
/** A run that gives neither --epochs nor --steps stops after this many passes over its corpus, if its time allows them (train/recipe.ts). */
export const AUTO_EPOCHS = 40;
/** Streams per step of a run that its time limit ends, unless --batch-size, --steps or --epochs is given (train/recipe.ts). */
export const TIME_BATCH_SIZE = 16;
/** The default rate's share with the recipe's TIME_BATCH_SIZE streams (noisier steps; measured with Adam), to 3 significant digits. */
export const TIME_BATCH_LR_SHARE = 0.75;

/** --patience counts evaluations more than this share above the best validation loss: a run clearly past its best. */
export const PATIENCE_MARGIN = 0.01;
/** What --patience n means, for help and messages. */
export const pastItsBest = (n: number | string): string =>
  `validation has been more than ${PATIENCE_MARGIN * 100}% above its best for ${n} evaluations in a row`;

/** `rnn train` (besides the model's shape). */
export const TRAIN_OPTIONS = {
  eos: spec({ flag: '--eos', value: '<mode>', help: 'sequence ends: line, paragraph or none', type: choice(EOS_MODES), default: 'line' }),
  minCount: spec({ flag: '--min-count', value: '<k>', help: 'characters seen fewer times become <UNK>', type: int(1), default: 1 }),
  maxVocab: spec({ flag: '--max-vocab', value: '<n>', help: 'keep only the n most frequent characters (the two reserved ids included)', type: int(3, 1 << 21), nullable: true, default: null }),
  valFraction: spec({ flag: '--val-fraction', value: '<f>', help: 'share of the corpus held out for validation', type: real({ min: 0, max: 1, maxOpen: true }), default: 0.05 }),
  valSplit: spec({ flag: '--val-split', value: '<how>', help: "what is held out: the corpus's tail, or random lines (paragraphs) chosen by the seed", type: choice(VAL_SPLITS), default: 'tail' }),
  seqLength: spec({ flag: '--seq-length', value: '<T>', help: 'BPTT length', type: int(1, 100_000), default: 64 }),
  batchSize: spec({ flag: '--batch-size', value: '<B>', help: 'parallel streams', type: int(1, 65_536), default: 32, defaultText: `32; ${TIME_BATCH_SIZE} when the time limit ends the run, see below` }),
  optimizer: spec({ flag: '--optimizer', value: '<name>', help: 'adam, adagrad, rmsprop or sgd', type: choice(OPTIMIZERS), default: 'adam' }),
  lr: spec({ flag: '--lr', value: '<rate>', help: 'learning rate', defaultText: `adam 0.01·min(1, 128/hidden) (a tenth of it for a ReLU RNN), adagrad 0.1, rmsprop 0.002, sgd 0.1; ×${TIME_BATCH_LR_SHARE} with the recipe's ${TIME_BATCH_SIZE} streams`, type: real({ min: 0, minOpen: true }) }),
  weightDecay: spec({ flag: '--weight-decay', value: '<λ>', help: 'decoupled weight decay of the weight matrices (AdamW): w −= lr·λ·w every step', type: real({ min: 0 }), default: 0, defaultText: `${LN_WEIGHT_DECAY} for a layer-normalised lstm, else 0` }),
  lrSchedule: spec({ flag: '--lr-schedule', value: '<kind>', help: 'cosine: a short warm-up, then down to 1/100 of --lr exactly as the budget (--steps, --epochs or --max-time) runs out; step (chosen by giving --lr-decay, --lr-decay-every or --lr-decay-start): ×--lr-decay every --lr-decay-every steps', type: choice(LR_SCHEDULES), default: 'cosine' }),
  lrDecay: spec({ flag: '--lr-decay', value: '<factor>', help: 'with --lr-schedule step: multiply the learning rate by this every --lr-decay-every steps', type: real({ min: 0, max: 1, minOpen: true }), default: 0.85 }),
  lrDecayEvery: spec({ flag: '--lr-decay-every', value: '<n>', help: 'steps between decays', type: int(1), default: 500 }),
  lrDecayStart: spec({ flag: '--lr-decay-start', value: '<n>', help: 'step at which decay starts', type: int(0), default: 1000 }),
  clip: spec({ flag: '--clip', value: '<c>', help: 'gradient clipping threshold (0: off)', type: real({ min: 0 }), default: 5 }),
  clipMode: spec({ flag: '--clip-mode', value: '<mode>', help: 'norm (global norm) or value (clamp each entry)', type: choice(CLIP_MODES), default: 'norm' }),
  epochs: spec({ flag: '--epochs', value: '<n>', help: 'stop after n passes over the training text, in all', type: orNone(int(1)), nullable: true, default: null, defaultText: `${AUTO_EPOCHS} unless --steps is given` }),
  steps: spec({ flag: '--steps', value: '<n>', help: 'stop at optimiser step n (a total: a resumed run counts from its start)', type: int(1), nullable: true, default: null }),
  maxTime: spec({ flag: '--max-time', value: '<duration>', help: 'stop after this much training in all, resumes included: 90s, 10m, 1h, or none', type: duration, default: 600, defaultText: '10m', nullable: true }),
  patience: spec({ flag: '--patience', value: '<n>', help: `stop when ${pastItsBest('n')} (the model file keeps the best)`, type: orNone(int(1)), nullable: true, default: 5 }),
  seed: seed('random seed (default: random, recorded in the model)'),
  output: spec({ flag: '--output', short: '-o', value: '<path>', help: 'where the best model is written (default: named after the corpus, book.txt → book.json)', type: text }),
  checkpoint: spec({ flag: '--checkpoint', value: '<path>', help: "where the latest checkpoint is written (default: the output's name + .ckpt.json)", type: text }),
  keep: spec({ flag: '--keep', value: '<N>', help: 'also keep the N best models by validation loss, as <output>_step<S>_<loss>.json', type: int(0, 1_000_000), default: 0 }),
  initFrom: spec({ flag: '--init-from', value: '<model>', help: "fine-tune: start from this model's weights (its shape and vocabulary), with a fresh optimiser", type: text, nullable: true, default: null }),
  extendVocab: spec({ flag: '--extend-vocab', help: 'with --init-from: characters the base lacks get ids of their own (default: they become <UNK>)', type: bool, default: false }),
  checkpointEvery: spec({ flag: '--checkpoint-every', value: '<n>', help: 'steps between checkpoints', type: int(1), nullable: true, default: null, defaultText: `one every ${CHECKPOINT_SECONDS} s` }),
  evalEvery: spec({ flag: '--eval-every', value: '<n>', help: 'steps between validation evaluations', type: int(1), nullable: true, default: null, defaultText: `enough steps to train on ${EVAL_RATIO}× the held-out text in between, at least ${MIN_EVAL_EVERY}` }),
  sampleEvery: spec({ flag: '--sample-every', value: '<n>', help: 'print short samples at temperatures 0.5 and 1.0 every n steps (0: never)', type: int(0), default: 0 }),
  threads: spec({ flag: '--threads', value: '<n>', help: 'worker threads, at most the number of cores', defaultText: 'all cores, or RNN_THREADS', type: int(0, 256) }),
  kernels: spec({ flag: '--kernels', value: '<kind>', help: 'what runs the math: native (C++ built at install), wasm (WebAssembly SIMD) or js (TypeScript)', type: choice(BACKENDS), nullable: true, default: null, defaultText: 'native where it was built, else wasm; or RNN_KERNELS' }),
};

/** `rnn sample` */
export const SAMPLE_OPTIONS = {
  length: spec({ flag: '--length', short: '-n', value: '<N>', help: 'characters to generate', defaultText: '500', type: int(0), hint: 'e.g. --length 500' }),
  count: spec({ flag: '--count', value: '<K>', help: 'generate K sequences, each ending at <EOS> (a line, with --eos line); with --beam, the K best', type: int(1), hint: 'e.g. --count 10' }),
  temperature: spec({ flag: '--temperature', short: '-t', value: '<t>', help: 'softmax temperature; several (-t 0.5,1.0,1.5) give a block each', type: real({ min: 0, minOpen: true }), default: 1, hint: 'for the most probable character every time, use --argmax' }),
  topK: spec({ flag: '--top-k', value: '<k>', help: 'sample only among the k most probable', type: int(1), hint: 'e.g. --top-k 10' }),
  topP: spec({ flag: '--top-p', value: '<p>', help: 'sample only among the most probable with total mass p', type: real({ min: 0, max: 1, minOpen: true }), hint: 'e.g. --top-p 0.9' }),
  beam: spec({ flag: '--beam', value: '<K>', help: 'beam search of width K: the most probable continuation of --prime, with its log-probability', type: int(1, 10_000), hint: 'e.g. --beam 5' }),
  seed: seed('random seed (same seed, same text)'),
};

/** The longest block `rnn eval` runs at once. */
export const MAX_EVAL_SEQ_LENGTH = 100_000;

/** `rnn eval perplexity` and `rnn score` */
export const EVAL_OPTIONS = {
  batchSize: spec({ flag: '--batch-size', value: '<B>', help: 'approximate and faster: cut the text into B parts that each start from a zero state', type: int(1, 4096), default: 1, defaultText: '1, the exact figure', hint: 'e.g. --batch-size 32' }),
  seqLength: spec({ flag: '--seq-length', value: '<T>', help: 'steps per block (the same figure for any T)', type: int(1, MAX_EVAL_SEQ_LENGTH), default: 128, hint: 'e.g. --seq-length 128' }),
};

/** `rnn fill` */
export const FILL_OPTIONS = {
  samples: spec({ flag: '--samples', value: '<N>', help: 'print N alternatives drawn with --temperature instead of the best fill', type: int(1, 10_000) }),
  temperature: spec({ flag: '--temperature', short: '-t', value: '<t>', help: 'softmax temperature for --samples', type: real({ min: 0, minOpen: true }), default: 1 }),
  seed: seed('random seed for --samples (same seed, same samples)'),
  maxSweeps: spec({ flag: '--max-sweeps', value: '<n>', help: 'refinement sweeps at most (bidirectional models)', type: int(1, 1000), default: 10 }),
};

/** `rnn gradcheck` (a small model, so that the check is quick) */
export const GRADCHECK_OPTIONS = {
  batch: spec({ flag: '--batch', value: '<B>', help: 'parallel streams', type: int(1, 64), default: 3 }),
  seqLength: spec({ flag: '--seq-length', value: '<T>', help: 'timesteps', type: int(1, 64), default: 5 }),
  vocab: spec({ flag: '--vocab', value: '<V>', help: 'vocabulary size', type: int(2, 256), default: 7 }),
  seed: spec({ flag: '--seed', value: '<n>', help: 'random seed', type: int(0, MAX_SEED), default: 1 }),
};

/** `rnn score` */
export const SCORE_OPTIONS = {
  sort: spec({ flag: '--sort', value: '<by>', help: 'rank by total log-probability or per-character mean', type: choice(['total', 'mean'] as const), default: 'total' }),
};

/** `rnn gradients` */
export const GRADIENTS_OPTIONS = {
  maxDistance: spec({ flag: '--max-distance', value: '<K>', help: 'how many steps back to follow the gradient', type: int(1, 10_000), default: 100, hint: 'e.g. --max-distance 100' }),
  positions: spec({ flag: '--positions', value: '<n>', help: 'positions of the text averaged over', type: int(1, 100_000), default: 256, hint: 'e.g. --positions 256' }),
};

/** `rnn inspect` */
export const INSPECT_OPTIONS = {
  top: spec({ flag: '--top', value: '<K>', help: 'also list the K most probable characters at each position', type: int(1, 100), hint: 'e.g. --top 3' }),
};

/** `rnn bench` */
export const BENCH_OPTIONS = {
  threads: spec({ flag: '--threads', value: '<n>', help: 'worker threads', defaultText: 'all cores', type: int(1, 256) }),
  seconds: spec({ flag: '--seconds', value: '<s>', help: 'least seconds per timed repetition', type: real({ min: 0, minOpen: true }) }),
  budget: spec({ flag: '--budget', value: '<s>', help: "PyTorch's seconds for its 3 repetitions", type: real({ min: 0, minOpen: true }) }),
};
