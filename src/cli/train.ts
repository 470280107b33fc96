import { Option, type Command } from 'commander';
import { AUTO_EPOCHS, pastItsBest, TIME_BATCH_LR_SHARE, TIME_BATCH_SIZE, TRAIN_OPTIONS } from '../options.js';
import { defaultLr } from '../train/optimizers.js';
import { CHARS_PER_PARAM, DROPOUT_PER_DOUBLING, epochLimit, LN_PASSES, MAX_DROPOUT, MIN_DROPOUT_SHARE, PARAMS_PER_CHAR, PROSE_BITS, WIDTHS } from '../train/recipe.js';
import { displayPath } from '../api/paths.js';
import { train } from '../api/train.js';
import { RnnError } from '../errors.js';
import type { StopReason } from '../train/events.js';
import type { ResumeOverrides, TrainOptions, TrainOptionsInput } from '../train/options.js';
import { randomSeed } from '../util/rng.js';
import { addModelOptions, modelConfigFrom, type ModelFlags } from './model-options.js';
import { fmt, fmtDuration, info, printJson } from './output.js';
import { cliOption } from './options.js';
import { progressRenderer } from './progress.js';
import { onOutputClosed } from './streams.js';

/** The parsed flags: the options of the table by their names, and the command's own switches. */
type TrainFlags = ModelFlags & Partial<Omit<TrainOptions, 'model' | 'corpus'>> & { force: boolean; resume?: string; json: boolean; quiet: boolean };

/** Why a run stopped, in its closing line. */
function stopMessage(reason: StopReason, o: TrainOptions, epochsGiven: boolean): string {
  switch (reason) {
    case 'steps': return 'reached --steps';
    case 'epochs': return epochsGiven || o.epochs !== epochLimit(o.model) ? 'reached --epochs' : `reached ${o.epochs} epochs, the limit of a run without --epochs or --steps`;
    case 'max-time': return 'reached --max-time';
    case 'patience': return `${pastItsBest(o.patience!)} (--patience N or none to change)`;
    case 'interrupted': return 'interrupted';
    case 'diverged': return 'the loss diverged';
  }
}

/** The signals that stop training as Ctrl-C does (save, then stop), and their exit codes (128 + n). */
const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
/** Exit code after stdout or stderr closed under a run (128 + SIGPIPE, as the shell reports `yes | head`). */
const EXIT_OUTPUT_CLOSED = 141;
/** The options a fine-tuned model takes from its base (--init-from). */
const FROM_BASE = new Set(['cell', 'hidden', 'layers', 'activation', 'peephole', 'coupled', 'layerNorm', 'minimal', 'resetAfter', 'bidirectional', 'eos', 'minCount', 'maxVocab']);
/** How --hidden's and --dropout's defaults read in --help. */
const RECIPE_DEFAULT = 'chosen from the corpus and the budget, see below';
/** What a resumed run may still be told; everything else comes from its checkpoint. */
const RESUMABLE = new Set(['resume', 'steps', 'epochs', 'maxTime', 'patience', 'threads', 'kernels', 'force', 'json', 'quiet']);

export function trainCommand(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a model on text files (default: the bundled tinyshakespeare); "-" reads stdin')
    .argument('[corpus...]', 'UTF-8 text files (CRLF line ends are read as newlines)');
  addModelOptions(cmd, {}, { hidden: RECIPE_DEFAULT, dropout: RECIPE_DEFAULT });
  for (const spec of Object.values(TRAIN_OPTIONS)) cmd.addOption(cliOption(spec));
  cmd
    .option('--force', 'replace a model or checkpoint that another run left at these paths', false)
    .addOption(new Option('--resume <checkpoint>', 'continue a run from its checkpoint (other options come from it; see below)'))
    .option('--json', 'JSON lines of progress on stdout', false)
    .option('-q, --quiet', 'no progress output', false)
    .addHelpText('after', `
Losses are in nats per character (bits = nats / ln 2). The validation loss is the exact figure
\`rnn eval perplexity\` prints for the held-out split: its mean −ln p over every character, each
predicted from all of the held-out text before it.

Unless given, the model's width and dropout follow from the corpus and the budget: the widest
of ${WIDTHS.join(', ')} units with at most ${PARAMS_PER_CHAR} weights per training character
that sees at least ${CHARS_PER_PARAM} characters per weight in the budget (at this machine's speed, timed
as the run starts); dropout ${DROPOUT_PER_DOUBLING} per doubling of the passes over the corpus, at most ${MAX_DROPOUT},
scaled by b/${PROSE_BITS} (at least ${MIN_DROPOUT_SHARE}) for a text that deflate codes in b < ${PROSE_BITS} bits per character.
A run stops after ${AUTO_EPOCHS} epochs unless --epochs or --steps is given. A layer-normalised LSTM (the
default) learns as much in one pass as the plain cell in ${LN_PASSES}: it is sized as the plain cell would be, its
dropout counts each pass ${LN_PASSES} times, and it stops after ${AUTO_EPOCHS / LN_PASSES} epochs. A run that its time
limit ends first takes ${TIME_BATCH_SIZE} streams, for more steps, at ${TIME_BATCH_LR_SHARE}× the rate, unless --batch-size is
given. The second line of the output says what was chosen.
The learning rate warms up, then follows a half cosine down to 1/100 of --lr as the budget
runs out. Training stops early when
${pastItsBest('--patience')}.

Limits (--steps, --epochs, --max-time) are totals of the whole run. \`--resume book.ckpt.json\`
goes on until they are reached; give a larger one to train further (e.g. --max-time 20m after a
10-minute run). A resume also accepts --patience, --threads, --kernels, --force, --json, --quiet, and the
corpus files when they have moved (their SHA-256 must match).

Ctrl-C, SIGTERM, SIGHUP (a closed terminal) and a closed stdout or stderr save a checkpoint and
stop (exit 130, 143, 129, 141); the model is written if none was yet.`)
    .action(async (corpus: string[], flags: TrainFlags, command: Command) => {
      const explicit = (name: string) => command.getOptionValueSource(name) === 'cli';
      if (flags.resume) {
        const ignored = command.options.filter((o) => explicit(o.attributeName()) && !RESUMABLE.has(o.attributeName()));
        if (ignored.length > 0) {
          throw new RnnError('--resume takes its options from the checkpoint', {
            expected: '--resume with at most --steps, --epochs, --max-time, --patience, --threads, --kernels, --force, --json, --quiet and the corpus files',
            got: ignored.map((o) => o.long ?? o.flags).join(', '), kind: 'usage',
            hint: 'to change other options, start a new run',
          });
        }
      }
      if (flags.initFrom) {
        const fixed = command.options.filter((o) => explicit(o.attributeName()) && FROM_BASE.has(o.attributeName()));
        if (fixed.length > 0) {
          throw new RnnError('--init-from takes the model\'s shape and vocabulary from the base', {
            expected: '--init-from with at most --dropout among the model options', got: fixed.map((o) => o.long ?? o.flags).join(', '), kind: 'usage',
            hint: 'leave them out, or train a new model without --init-from',
          });
        }
      }
      // commander turns a parser's null ("--max-time none") into "": back to null
      const value = (k: string): unknown => (flags[k as keyof TrainFlags] === '' && TRAIN_OPTIONS[k as keyof typeof TRAIN_OPTIONS].nullable ? null : flags[k as keyof TrainFlags]);
      // what is not given is left to the library's defaults and recipe (undefined)
      const given = Object.fromEntries(Object.keys(TRAIN_OPTIONS).map((k) => [k, explicit(k) ? value(k) : undefined]));
      const model = modelConfigFrom(flags);
      const opts: TrainOptionsInput = {
        ...given,
        corpus,
        model: flags.initFrom ? { dropout: explicit('dropout') ? flags.dropout : undefined } : { ...model, hidden: explicit('hidden') ? model.hidden : undefined, dropout: explicit('dropout') ? model.dropout : undefined },
        seed: flags.seed ?? randomSeed(),
      };
      const overrides: ResumeOverrides | undefined = flags.resume
        ? {
            steps: explicit('steps') ? opts.steps : undefined, epochs: explicit('epochs') ? opts.epochs : undefined,
            maxTime: explicit('maxTime') ? opts.maxTime : undefined, patience: explicit('patience') ? opts.patience : undefined,
            threads: flags.threads, kernels: flags.kernels ?? undefined, corpus: corpus.length > 0 ? corpus : undefined,
          }
        : undefined;
      const render = await progressRenderer({ json: flags.json, quiet: flags.quiet });
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
        const why = result.reason === 'interrupted' && stop.why ? `interrupted (${stop.why})` : stopMessage(result.reason, result.options, explicit('epochs'));
        const summary = {
          type: 'done', reason: result.reason, steps: r.step, epoch: r.epoch, bestValLoss: result.best.valLoss, bestStep: result.best.step,
          seconds: r.elapsedSeconds, output: result.saved.model ? result.output : null, checkpoint: result.saved.checkpoint ? result.checkpoint : null, seed: result.seed,
        };
        if (flags.json) printJson(summary);
        if (!flags.quiet) {
          info(`stopped: ${why} after ${r.step} steps (${fmtDuration(r.elapsedSeconds)}); ` +
            `best validation loss ${fmt(result.best.valLoss, 4)} nats/char at step ${result.best.step ?? '–'}`);
          if (!result.saved.model && !result.saved.checkpoint) info('nothing was saved: the run stopped before its first step');
          else info([result.saved.model ? `model: ${displayPath(result.output)}` : 'no model yet', result.saved.checkpoint ? `checkpoint: ${displayPath(result.checkpoint)}` : '', `seed: ${result.seed}`].filter(Boolean).join('   '));
          if (result.reason === 'interrupted' && result.saved.checkpoint) info(`resume with: rnn train --resume ${displayPath(result.checkpoint)}`);
          if (result.reason === 'max-time') {
            const { model: m, batchSize, lr, optimizer } = result.options;
            // the rate, where the recipe changed it: the rest of the command implies the others
            const chosenLr = !explicit('lr') && lr !== defaultLr(optimizer, m) ? ` --lr ${lr}` : '';
            info(`to train the same for the same steps on any machine: --hidden ${m.hidden} --dropout ${m.dropout} --batch-size ${batchSize}${chosenLr} --steps ${r.step} --seed ${result.seed} ` +
              '(a time limit depends on the machine; its learning rate followed a plan made from this one\'s speed)');
          }
        }
        if (result.reason === 'diverged') info('hint: lower the learning rate (--lr); with --optimizer sgd, clipping harder (--clip) also bounds the step (adam, adagrad and rmsprop rescale the gradient, so clipping does not)');
        if (result.reason === 'interrupted') process.exitCode = stop.code ?? STOP_SIGNALS.SIGINT;
        if (result.reason === 'diverged') process.exitCode = 1;
      } finally {
        render.stop();
        unwatch();
        for (const [signal, fn] of onSignal) process.off(signal, fn);
      }
    });
}
