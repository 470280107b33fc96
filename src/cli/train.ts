import { Option, type Command } from 'commander';
import { displayPath } from '../api/paths.js';
import { train } from '../api/train.js';
import { RnnError } from '../errors.js';
import { EOS_MODES } from '../tokenizer/segment.js';
import type { StopReason } from '../train/events.js';
import { parseDuration, trainDefaults, trainModelDefaults, VAL_SPLITS, type ResumeOverrides, type TrainOptions, type TrainOptionsInput, type ValSplit } from '../train/options.js';
import type { OptimizerKind } from '../train/optimizers.js';
import { randomSeed } from '../util/rng.js';
import { addModelOptions, modelConfigFrom, type ModelOptionValues } from './model-options.js';
import { fmt, fmtDuration, info, printJson } from './output.js';
import { choice, int, num, positive, probability } from './parse.js';
import { progressRenderer } from './progress.js';
import { onOutputClosed } from './streams.js';

interface TrainFlags extends ModelOptionValues {
  eos: TrainOptions['eos'];
  minCount: number;
  maxVocab?: number;
  valFraction: number;
  seqLength: number;
  batchSize: number;
  optimizer: OptimizerKind;
  lr?: number;
  lrDecay: number;
  lrDecayEvery: number;
  lrDecayStart: number;
  clip: number;
  clipMode: TrainOptions['clipMode'];
  epochs?: number;
  steps?: number;
  maxTime: string;
  patience?: number;
  seed?: number;
  output?: string;
  checkpoint?: string;
  force: boolean;
  keep: number;
  initFrom?: string;
  extendVocab: boolean;
  valSplit: ValSplit;
  checkpointEvery: number;
  resume?: string;
  evalEvery: number;
  sampleEvery: number;
  threads?: number;
  json: boolean;
  quiet: boolean;
}

const stopMessages: Record<StopReason, string> = {
  steps: 'reached --steps', epochs: 'reached --epochs', 'max-time': 'reached --max-time',
  patience: 'validation loss stopped improving (--patience)', interrupted: 'interrupted',
  diverged: 'the loss diverged',
};

/** The signals that stop training as Ctrl-C does (save, then stop), and their exit codes (128 + n). */
const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
/** Exit code after stdout or stderr closed under a run (128 + SIGPIPE, as the shell reports `yes | head`). */
const EXIT_OUTPUT_CLOSED = 141;
/** The options a fine-tuned model takes from its base (--init-from). */
const FROM_BASE = new Set(['cell', 'hidden', 'layers', 'activation', 'peephole', 'coupled', 'minimal', 'resetAfter', 'bidirectional', 'eos', 'minCount', 'maxVocab']);
/** What a resumed run may still be told; everything else comes from its checkpoint. */
const RESUMABLE = new Set(['resume', 'steps', 'epochs', 'maxTime', 'patience', 'threads', 'force', 'json', 'quiet']);

export function trainCommand(program: Command): void {
  const d = trainDefaults;
  const cmd = program
    .command('train')
    .description('train a model on text files (default: the bundled tinyshakespeare); "-" reads stdin')
    .argument('[corpus...]', 'UTF-8 text files (CRLF line ends are read as newlines)');
  addModelOptions(cmd, trainModelDefaults)
    .addOption(new Option('--eos <mode>', 'sequence ends: line, paragraph or none').argParser(choice('--eos', EOS_MODES)).default(d.eos))
    .addOption(new Option('--min-count <k>', 'characters seen fewer times become <UNK>').argParser(int('--min-count')).default(d.minCount))
    .addOption(new Option('--max-vocab <n>', 'keep only the n most frequent characters').argParser(int('--max-vocab', 3)))
    .addOption(new Option('--val-fraction <f>', 'share of the corpus held out for validation').argParser(probability('--val-fraction')).default(d.valFraction))
    .addOption(new Option('--val-split <how>', 'what is held out: the corpus\'s tail, or random lines (paragraphs) chosen by the seed').argParser(choice('--val-split', VAL_SPLITS)).default(d.valSplit))
    .addOption(new Option('--seq-length <T>', 'BPTT length').argParser(int('--seq-length', 1, 100000)).default(d.seqLength))
    .addOption(new Option('--batch-size <B>', 'parallel streams').argParser(int('--batch-size', 1, 65536)).default(d.batchSize))
    .addOption(new Option('--optimizer <name>', 'adam, adagrad, rmsprop or sgd').argParser(choice('--optimizer', ['adam', 'adagrad', 'rmsprop', 'sgd'] as const)).default(d.optimizer))
    .addOption(new Option('--lr <rate>', 'learning rate (default: adam 0.01·min(1, 128/hidden), adagrad 0.1, rmsprop 0.002, sgd 0.1)').argParser(positive('--lr')))
    .addOption(new Option('--lr-decay <factor>', 'multiply the learning rate by this every --lr-decay-every steps').argParser(num('--lr-decay', (n) => n > 0 && n <= 1, 'a factor in (0, 1]')).default(d.lrDecay))
    .addOption(new Option('--lr-decay-every <n>', 'steps between decays').argParser(int('--lr-decay-every')).default(d.lrDecayEvery))
    .addOption(new Option('--lr-decay-start <n>', 'step at which decay starts').argParser(int('--lr-decay-start', 0)).default(d.lrDecayStart))
    .addOption(new Option('--clip <c>', 'gradient clipping threshold (0: off)').argParser(num('--clip', (n) => n >= 0, 'a number ≥ 0')).default(d.clip))
    .addOption(new Option('--clip-mode <mode>', 'norm (global norm) or value (clamp each entry)').argParser(choice('--clip-mode', ['norm', 'value'] as const)).default(d.clipMode))
    .addOption(new Option('--epochs <n>', 'stop after n passes over the training text, in all').argParser(int('--epochs')))
    .addOption(new Option('--steps <n>', 'stop at optimiser step n (a total: a resumed run counts from its start)').argParser(int('--steps')))
    .addOption(new Option('--max-time <duration>', 'stop after this much training in all, resumes included: 90s, 10m, 1h, or none').default('10m'))
    .addOption(new Option('--patience <n>', 'stop after n evaluations without improvement').argParser(int('--patience')))
    .addOption(new Option('--seed <n>', 'random seed (default: random, recorded in the model)').argParser(int('--seed', 0, 0xffffffff)))
    .addOption(new Option('-o, --output <path>', 'where the best model is written (default: named after the corpus, book.txt → book.json)'))
    .addOption(new Option('--checkpoint <path>', 'where the latest checkpoint is written (default: the output\'s name + .ckpt.json)'))
    .option('--force', 'replace a model or checkpoint that another run left at these paths', false)
    .addOption(new Option('--keep <N>', 'also keep the N best models by validation loss, as <output>_step<S>_<loss>.json').argParser(int('--keep', 0, 1_000_000)).default(d.keep))
    .addOption(new Option('--init-from <model>', 'fine-tune: start from this model\'s weights (its shape and vocabulary), with a fresh optimiser'))
    .option('--extend-vocab', 'with --init-from: characters the base lacks get ids of their own (default: they become <UNK>)', false)
    .addOption(new Option('--checkpoint-every <n>', 'steps between checkpoints').argParser(int('--checkpoint-every')).default(d.checkpointEvery))
    .addOption(new Option('--resume <checkpoint>', 'continue a run from its checkpoint (other options come from it; see below)'))
    .addOption(new Option('--eval-every <n>', 'steps between validation evaluations').argParser(int('--eval-every')).default(d.evalEvery))
    .addOption(new Option('--sample-every <n>', 'print short samples at temperatures 0.5 and 1.0 every n steps').argParser(int('--sample-every', 0)).default(d.sampleEvery))
    .addOption(new Option('--threads <n>', 'worker threads, at most the number of cores (default: all cores)').argParser(int('--threads', 1, 256)))
    .option('--json', 'JSON lines of progress on stdout', false)
    .option('-q, --quiet', 'no progress output', false)
    .addHelpText('after', `
Losses are in nats per character (bits = nats / ln 2). The validation loss is the exact figure
\`rnn eval perplexity\` prints for the held-out split: its mean −ln p over every character, each
predicted from all of the held-out text before it.

Limits (--steps, --epochs, --max-time) are totals of the whole run. \`--resume book.ckpt.json\`
goes on until they are reached; give a larger one to train further (e.g. --max-time 20m after a
10-minute run). A resume also accepts --patience, --threads, --force, --json, --quiet, and the
corpus files when they have moved (their SHA-256 must match).

Ctrl-C, SIGTERM, SIGHUP (a closed terminal) and a closed stdout or stderr save a checkpoint and
stop (exit 130, 143, 129, 141); the model is written if none was yet.`)
    .action(async (corpus: string[], flags: TrainFlags, command: Command) => {
      const explicit = (name: string) => command.getOptionValueSource(name) === 'cli';
      if (flags.resume) {
        const ignored = command.options.filter((o) => explicit(o.attributeName()) && !RESUMABLE.has(o.attributeName()));
        if (ignored.length > 0) {
          throw new RnnError('--resume takes its options from the checkpoint', {
            expected: '--resume with at most --steps, --epochs, --max-time, --patience, --threads, --force, --json, --quiet and the corpus files',
            got: ignored.map((o) => o.long ?? o.flags).join(', '), kind: 'usage',
            hint: 'to change other options, start a new run',
          });
        }
      }
      if (flags.initFrom !== undefined) {
        const fixed = command.options.filter((o) => explicit(o.attributeName()) && FROM_BASE.has(o.attributeName()));
        if (fixed.length > 0) {
          throw new RnnError('--init-from takes the model\'s shape and vocabulary from the base', {
            expected: '--init-from with at most --dropout among the model options', got: fixed.map((o) => o.long ?? o.flags).join(', '), kind: 'usage',
            hint: 'leave them out, or train a new model without --init-from',
          });
        }
      }
      const opts: TrainOptionsInput = {
        corpus,
        model: flags.initFrom !== undefined ? { dropout: explicit('dropout') ? flags.dropout : undefined } : modelConfigFrom(flags),
        eos: flags.eos, minCount: flags.minCount, maxVocab: flags.maxVocab ?? null, valFraction: flags.valFraction,
        seqLength: flags.seqLength, batchSize: flags.batchSize, optimizer: flags.optimizer,
        lr: flags.lr, lrDecay: flags.lrDecay, lrDecayEvery: flags.lrDecayEvery, lrDecayStart: flags.lrDecayStart,
        clip: flags.clip, clipMode: flags.clipMode, epochs: flags.epochs ?? null, steps: flags.steps ?? null,
        maxTime: flags.maxTime === 'none' ? null : parseDuration(flags.maxTime),
        patience: flags.patience ?? null, seed: flags.seed ?? randomSeed(),
        output: flags.output, checkpoint: flags.checkpoint, checkpointEvery: flags.checkpointEvery, evalEvery: flags.evalEvery, sampleEvery: flags.sampleEvery, threads: flags.threads ?? 0,
        keep: flags.keep, initFrom: flags.initFrom ?? null, extendVocab: flags.extendVocab, valSplit: flags.valSplit,
      };
      const overrides: ResumeOverrides | undefined = flags.resume
        ? {
            steps: explicit('steps') ? opts.steps : undefined, epochs: explicit('epochs') ? opts.epochs : undefined,
            maxTime: explicit('maxTime') ? opts.maxTime : undefined, patience: explicit('patience') ? opts.patience : undefined,
            threads: flags.threads, corpus: corpus.length > 0 ? corpus : undefined,
          }
        : undefined;
      const render = progressRenderer({ json: flags.json, quiet: flags.quiet });
      const controller = new AbortController();
      const stop: { code?: number; why?: string } = {}; // the first cause wins
      const stopWith = (code: number, why: string) => {
        if (stop.code === undefined) Object.assign(stop, { code, why });
        controller.abort();
      };
      const onSignal = Object.entries(STOP_SIGNALS).map(([signal, code]) => [signal, () => stopWith(code, signal)] as const);
      for (const [signal, fn] of onSignal) process.once(signal, fn);
      const unwatch = onOutputClosed((name) => stopWith(EXIT_OUTPUT_CLOSED, `${name} was closed`));
      try {
        const result = await train(opts, {
          events: render, signal: controller.signal, resume: flags.resume, overrides, force: flags.force,
          onStart: (s) => { if (!flags.quiet) info(s); },
        });
        render.stop();
        const r = result.run;
        const why = result.reason === 'interrupted' && stop.why ? `interrupted (${stop.why})` : stopMessages[result.reason];
        const summary = {
          type: 'done', reason: result.reason, steps: r.step, epoch: r.epoch, bestValLoss: r.bestValLoss, bestStep: r.bestStep,
          seconds: r.elapsedSeconds, output: result.saved.model ? result.output : null, checkpoint: result.saved.checkpoint ? result.checkpoint : null, seed: result.seed,
        };
        if (flags.json) printJson(summary);
        if (!flags.quiet) {
          info(`stopped: ${why} after ${r.step} steps (${fmtDuration(r.elapsedSeconds)}); ` +
            `best validation loss ${fmt(r.bestValLoss, 4)} nats/char at step ${r.bestStep ?? '–'}`);
          if (!result.saved.model && !result.saved.checkpoint) info('nothing was saved: the run stopped before its first step');
          else info([result.saved.model ? `model: ${displayPath(result.output)}` : 'no model yet', result.saved.checkpoint ? `checkpoint: ${displayPath(result.checkpoint)}` : '', `seed: ${result.seed}`].filter(Boolean).join('   '));
          if (result.reason === 'interrupted' && result.saved.checkpoint) info(`resume with: rnn train --resume ${displayPath(result.checkpoint)}`);
          if (result.reason === 'max-time') info(`to repeat this run exactly: --steps ${r.step} --seed ${result.seed} (time limits depend on the machine)`);
        }
        if (result.reason === 'diverged') info('hint: lower the learning rate (--lr) or clip harder (--clip)');
        if (result.reason === 'interrupted') process.exitCode = stop.code ?? STOP_SIGNALS.SIGINT;
        if (result.reason === 'diverged') process.exitCode = 1;
      } finally {
        render.stop();
        unwatch();
        for (const [signal, fn] of onSignal) process.off(signal, fn);
      }
    });
}
