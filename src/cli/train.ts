import { Option, type Command } from 'commander';
import { train } from '../api/train.js';
import { RnnError } from '../errors.js';
import { EOS_MODES } from '../tokenizer/segment.js';
import type { StopReason } from '../train/events.js';
import { checkpointPathFor, parseDuration, trainDefaults, trainModelDefaults, type TrainOptions } from '../train/options.js';
import { defaultLr, type OptimizerKind } from '../train/optimizers.js';
import { randomSeed } from '../util/rng.js';
import { addModelOptions, modelConfigFrom, type ModelOptionValues } from './model-options.js';
import { fmt, fmtDuration, info, printJson } from './output.js';
import { choice, int, num, positive, probability } from './parse.js';
import { progressRenderer } from './progress.js';

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
  output: string;
  checkpoint?: string;
  checkpointEvery: number;
  resume?: string;
  evalEvery: number;
  sampleEvery: number;
  threads: number;
  json: boolean;
  quiet: boolean;
}

const stopMessages: Record<StopReason, string> = {
  steps: 'reached --steps', epochs: 'reached --epochs', 'max-time': 'reached --max-time',
  patience: 'validation loss stopped improving (--patience)', interrupted: 'interrupted',
  diverged: 'the loss diverged',
};

export function trainCommand(program: Command): void {
  const d = trainDefaults;
  const cmd = program
    .command('train')
    .description('train a model on text files (default: the bundled tinyshakespeare); "-" reads stdin')
    .argument('[corpus...]', 'UTF-8 text files');
  addModelOptions(cmd, trainModelDefaults)
    .addOption(new Option('--eos <mode>', 'sequence ends: line, paragraph or none').argParser(choice('--eos', EOS_MODES)).default(d.eos))
    .addOption(new Option('--min-count <k>', 'characters seen fewer times become <UNK>').argParser(int('--min-count')).default(d.minCount))
    .addOption(new Option('--max-vocab <n>', 'keep only the n most frequent characters').argParser(int('--max-vocab', 3)))
    .addOption(new Option('--val-fraction <f>', 'held-out tail of the corpus for validation').argParser(probability('--val-fraction')).default(d.valFraction))
    .addOption(new Option('--seq-length <T>', 'BPTT length').argParser(int('--seq-length', 1, 100000)).default(d.seqLength))
    .addOption(new Option('--batch-size <B>', 'parallel streams').argParser(int('--batch-size', 1, 65536)).default(d.batchSize))
    .addOption(new Option('--optimizer <name>', 'adam, adagrad, rmsprop or sgd').argParser(choice('--optimizer', ['adam', 'adagrad', 'rmsprop', 'sgd'] as const)).default(d.optimizer))
    .addOption(new Option('--lr <rate>', 'learning rate (default: adam 0.01·min(1, 128/hidden), adagrad 0.1, rmsprop 0.002, sgd 0.1)').argParser(positive('--lr')))
    .addOption(new Option('--lr-decay <factor>', 'multiply the learning rate by this every --lr-decay-every steps').argParser(num('--lr-decay', (n) => n > 0 && n <= 1, 'a factor in (0, 1]')).default(d.lrDecay))
    .addOption(new Option('--lr-decay-every <n>', 'steps between decays').argParser(int('--lr-decay-every')).default(d.lrDecayEvery))
    .addOption(new Option('--lr-decay-start <n>', 'step at which decay starts').argParser(int('--lr-decay-start', 0)).default(d.lrDecayStart))
    .addOption(new Option('--clip <c>', 'gradient clipping threshold (0: off)').argParser(num('--clip', (n) => n >= 0, 'a number ≥ 0')).default(d.clip))
    .addOption(new Option('--clip-mode <mode>', 'norm (global norm) or value (clamp each entry)').argParser(choice('--clip-mode', ['norm', 'value'] as const)).default(d.clipMode))
    .addOption(new Option('--epochs <n>', 'stop after n passes over the training text').argParser(int('--epochs')))
    .addOption(new Option('--steps <n>', 'stop after n optimiser steps').argParser(int('--steps')))
    .addOption(new Option('--max-time <duration>', 'stop after this long, e.g. 90s, 10m, 1h ("none": no limit)').default('10m'))
    .addOption(new Option('--patience <n>', 'stop after n evaluations without improvement').argParser(int('--patience')))
    .addOption(new Option('--seed <n>', 'random seed (default: random, recorded in the model)').argParser(int('--seed', 0, 0xffffffff)))
    .addOption(new Option('-o, --output <path>', 'where the best model is written').default(d.output))
    .addOption(new Option('--checkpoint <path>', 'where the latest checkpoint is written (default: <output>.ckpt.json)'))
    .addOption(new Option('--checkpoint-every <n>', 'steps between checkpoints').argParser(int('--checkpoint-every')).default(d.checkpointEvery))
    .addOption(new Option('--resume <checkpoint>', 'continue a run from its checkpoint (all other options come from it)'))
    .addOption(new Option('--eval-every <n>', 'steps between validation evaluations').argParser(int('--eval-every')).default(d.evalEvery))
    .addOption(new Option('--sample-every <n>', 'print short samples at temperatures 0.5 and 1.0 every n steps').argParser(int('--sample-every', 0)).default(d.sampleEvery))
    .addOption(new Option('--threads <n>', 'worker threads (default: all cores)').argParser(int('--threads', 1, 256)).default(0, 'all cores'))
    .option('--json', 'JSON lines of progress on stdout', false)
    .option('-q, --quiet', 'no progress output', false)
    .action(async (corpus: string[], flags: TrainFlags, command: Command) => {
      const explicit = (name: string) => command.getOptionValueSource(name) === 'cli';
      const opts: TrainOptions = {
        corpus,
        model: modelConfigFrom(flags),
        eos: flags.eos, minCount: flags.minCount, maxVocab: flags.maxVocab ?? null, valFraction: flags.valFraction,
        seqLength: flags.seqLength, batchSize: flags.batchSize, optimizer: flags.optimizer,
        lr: flags.lr ?? defaultLr(flags.optimizer, flags.hidden), lrDecay: flags.lrDecay, lrDecayEvery: flags.lrDecayEvery, lrDecayStart: flags.lrDecayStart,
        clip: flags.clip, clipMode: flags.clipMode, epochs: flags.epochs ?? null, steps: flags.steps ?? null,
        maxTime: flags.maxTime === 'none' ? null : parseDuration(flags.maxTime),
        patience: flags.patience ?? null, seed: flags.seed ?? randomSeed(),
        output: flags.output, checkpoint: flags.checkpoint ?? checkpointPathFor(flags.output),
        checkpointEvery: flags.checkpointEvery, evalEvery: flags.evalEvery, sampleEvery: flags.sampleEvery, threads: flags.threads,
      };
      // With --resume, only the stopping limits given on this command line override the checkpoint's.
      const resumable = new Set(['resume', 'steps', 'epochs', 'maxTime', 'json', 'quiet']);
      const ignored = command.options.filter((o) => explicit(o.attributeName()) && !resumable.has(o.attributeName()));
      if (flags.resume && corpus.length + ignored.length > 0) {
        throw new RnnError('--resume takes its options from the checkpoint', {
          expected: '--resume with at most --steps, --epochs, --max-time, --json, --quiet',
          got: [...(corpus.length ? ['a corpus'] : []), ...ignored.map((o) => o.long ?? o.flags)].join(', '), kind: 'usage',
          hint: 'to change other options, start a new run',
        });
      }
      const overrides = flags.resume
        ? { steps: explicit('steps') ? opts.steps : undefined, epochs: explicit('epochs') ? opts.epochs : undefined, maxTime: explicit('maxTime') ? opts.maxTime : undefined }
        : undefined;
      const render = progressRenderer({ json: flags.json, quiet: flags.quiet });
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const result = await train(opts, { events: render, signal: controller.signal, resume: flags.resume, overrides, onStart: (s) => { if (!flags.quiet) info(s); } });
        render.stop();
        const r = result.run;
        const summary = {
          type: 'done', reason: result.reason, steps: r.step, epoch: r.epoch, bestValLoss: r.bestValLoss, bestStep: r.bestStep,
          seconds: r.elapsedSeconds, output: result.output, checkpoint: result.checkpoint, seed: result.seed,
        };
        if (flags.json) printJson(summary);
        if (!flags.quiet) {
          info(`stopped: ${stopMessages[result.reason]} after ${r.step} steps (${fmtDuration(r.elapsedSeconds)}); ` +
            `best validation loss ${fmt(r.bestValLoss, 4)} nats/char at step ${r.bestStep ?? '–'}`);
          info(`model: ${result.output}   checkpoint: ${result.checkpoint}   seed: ${result.seed}`);
          if (result.reason === 'interrupted') info(`resume with: rnn train --resume ${result.checkpoint}`);
          if (result.reason === 'max-time') info(`to repeat this run exactly: --steps ${r.step} --seed ${result.seed} (time limits depend on the machine)`);
        }
        if (result.reason === 'diverged') info('hint: lower the learning rate (--lr) or clip harder (--clip)');
        if (result.reason === 'interrupted') process.exitCode = 130;
        if (result.reason === 'diverged') process.exitCode = 1;
      } finally {
        render.stop();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
