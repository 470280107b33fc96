import type { Command } from 'commander';
import { loadModel, type LoadedModel } from '../api/load.js';
import { RnnError } from '../errors.js';
import { trainingText } from '../api/training-corpus.js';
import { beamSearch } from '../sample/beam.js';
import { corpusIndex, lineNovelty, sequenceSet, textNovelty } from '../sample/novelty.js';
import { checkSampleOptions, sampleStream, type SampleOptions, type SampleRun } from '../sample/sample.js';
import { randomSeed } from '../util/rng.js';
import { chooseModel, MODEL_OPTION } from './model-arg.js';
import { fmt, info, out, printJson, warn } from './output.js';
import { list, SAMPLE_OPTIONS } from '../options.js';
import { cliOption } from './options.js';
import { writeOut } from './streams.js';

interface SampleFlags {
  model?: string;
  length?: number;
  count?: number;
  temperature: number[];
  topK?: number;
  topP?: number;
  argmax: boolean;
  beam?: number;
  prime?: string;
  seed?: number;
  allowUnk: boolean;
  novelty: boolean;
  json: boolean;
}

/** Text is written in pieces of about this many characters (or at a newline). */
const CHUNK = 64;

export function sampleCommand(program: Command): void {
  program
    .command('sample')
    .description('generate text from a model, streamed to stdout')
    .argument('[model]', 'model file (the same as --model)')
    .option(...MODEL_OPTION)
    .addOption(cliOption(SAMPLE_OPTIONS.length))
    .addOption(cliOption(SAMPLE_OPTIONS.count))
    .addOption(cliOption({ ...SAMPLE_OPTIONS.temperature, type: list(SAMPLE_OPTIONS.temperature.type), defaultText: String(SAMPLE_OPTIONS.temperature.default) }, { default: [SAMPLE_OPTIONS.temperature.default] }))
    .addOption(cliOption(SAMPLE_OPTIONS.topK))
    .addOption(cliOption(SAMPLE_OPTIONS.topP))
    .option('--argmax', 'always take the most probable character (no randomness)', false)
    .addOption(cliOption(SAMPLE_OPTIONS.beam))
    .option('--prime <text>', 'text to start from')
    .addOption(cliOption(SAMPLE_OPTIONS.seed))
    .option('--allow-unk', 'let <UNK> (printed as �) be generated; by default it never is', false)
    .option('--novelty', 'report what was copied from the training corpus: with --count, samples that are training or validation lines; else the longest copied substring', false)
    .option('--json', 'one JSON object per temperature (or beam result) with the text and every setting that shaped it', false)
    .action(async (positional: string | undefined, flags: SampleFlags, command: Command) => {
      const given = (name: string): boolean => command.getOptionValueSource(name) === 'cli';
      const temps = given('temperature') ? flags.temperature : [undefined];
      const base: SampleOptions = { length: flags.length, count: flags.count, topK: flags.topK, topP: flags.topP, argmax: flags.argmax, prime: flags.prime, seed: flags.seed, allowUnk: flags.allowUnk };
      if (flags.beam !== undefined) refuseWithBeam(command);
      else for (const temperature of temps) checkSampleOptions({ ...base, temperature }); // usage errors before the model is read
      const path = chooseModel(flags.model, positional);
      const loaded = await loadModel(path);
      try {
        if (flags.beam !== undefined) {
          beam(loaded, flags);
          return;
        }
        const seed = flags.seed ?? randomSeed(); // one seed for every temperature, so that they compare
        const novelty = flags.novelty ? await noveltyJudge(loaded, flags) : null;
        for (const temperature of temps) {
          const run = sampleStream(loaded.model, loaded.vocab, { ...base, temperature, seed });
          if (temperature === temps[0]) for (const w of run.warnings) warn(w);
          if (flags.count !== undefined && loaded.vocab.eos === 'none' && temperature === temps[0]) {
            warn(`${path} was trained with --eos none and has no sequence ends: each of the ${flags.count} sequences stops at ${run.maxSequenceLength.toLocaleString('en-US')} characters (--length gives one stream)`);
          }
          if (flags.json) {
            let text = '';
            for (const chunk of run) text += chunk;
            printJson({
              text, model: path, temperature: flags.argmax ? null : (temperature ?? 1), topK: flags.topK ?? null, topP: flags.topP ?? null,
              argmax: flags.argmax, prime: flags.prime ?? '', seed: flags.argmax ? null : seed, allowUnk: flags.allowUnk, ...run.stats, unknownInPrime: run.unknownInPrime,
              ...(novelty ? { novelty: novelty(text) } : {}),
            });
            continue;
          }
          if (temps.length > 1 && !(await writeOut(`${temperature === temps[0] ? '' : '\n'}=== temperature ${temperature} ===\n`))) return;
          const text = await stream(run);
          if (text === null) return; // the reader is gone
          if (novelty) info(describeNovelty(novelty(text)));
        }
        if (!flags.json && flags.seed === undefined && !flags.argmax) info(`(seed ${seed}; pass --seed ${seed} to repeat)`);
      } finally {
        loaded.close();
      }
    });
}

/** Writes a run's text as it is generated and returns it; null once stdout is closed. A last line is always ended. */
async function stream(run: SampleRun): Promise<string | null> {
  let pending = '';
  let all = '';
  const flush = async (): Promise<boolean> => {
    all += pending;
    const open = pending === '' || (await writeOut(pending));
    pending = '';
    return open;
  };
  for (const chunk of run) {
    pending += chunk;
    if ((pending.length >= CHUNK || chunk.includes('\n')) && !(await flush())) return null;
  }
  if (!(await flush())) return null;
  return all === '' || all.endsWith('\n') || (await writeOut('\n')) ? all : null;
}

type Novelty = ReturnType<typeof lineNovelty> | ReturnType<typeof textNovelty>;

/**
 * What a sample copied: with --count, each sequence (the prime included, as printed) looked up among
 * the training and validation sequences; otherwise the generated text against the whole corpus.
 */
async function noveltyJudge(loaded: LoadedModel, flags: SampleFlags): Promise<(text: string) => Novelty> {
  const t = await trainingText(loaded, 'for --novelty');
  const { vocab } = loaded;
  if (flags.count !== undefined && vocab.eos !== 'none') {
    const train = sequenceSet(t.split.train, vocab), validation = sequenceSet(t.split.val, vocab);
    return (text) => lineNovelty(text.split(vocab.separator).slice(0, -1), train, validation);
  }
  const index = corpusIndex(t.ids, vocab.size);
  const prime = flags.prime ?? '';
  return (text) => textNovelty(index, vocab, text.slice(text.startsWith(prime) ? prime.length : 0));
}

function describeNovelty(n: Novelty): string {
  if ('samples' in n) {
    const pct = (k: number) => `${((100 * k) / Math.max(1, n.samples)).toFixed(1)}%`;
    return `novelty: of ${n.samples} samples, ${n.inTrain} (${pct(n.inTrain)}) are training lines, ${n.inValidation} (${pct(n.inValidation)}) validation lines, ${n.new} (${pct(n.new)}) new`;
  }
  return `novelty: the longest substring copied from the corpus is ${n.longest} characters (${JSON.stringify(n.longestText)}); ` +
    `${(100 * n.copiedShare).toFixed(1)}% of the ${n.chars} sampled characters lie in copied runs of ${n.minRun} or more`;
}

/** Beam search draws nothing: the options that shape a draw do not go with it. */
function refuseWithBeam(command: Command): void {
  const clash = ['temperature', 'topK', 'topP', 'argmax', 'seed'].filter((n) => command.getOptionValueSource(n) === 'cli');
  if (clash.length > 0) {
    const names = clash.map((n) => command.options.find((o) => o.attributeName() === n)!.long).join(', ');
    throw new RnnError('--beam searches for the most probable text: it draws nothing', {
      expected: '--beam with --length, --count, --prime', got: `--beam with ${names}`, kind: 'usage',
    });
  }
}

/** The `--count` best continuations of --prime (the best alone by default), each with its log-probability. */
function beam(loaded: LoadedModel, flags: SampleFlags): void {
  const length = flags.length ?? 500;
  const results = beamSearch(loaded.model, loaded.vocab, { width: flags.beam!, length, prime: flags.prime, count: flags.count, allowUnk: flags.allowUnk });
  const prime = flags.prime ?? '';
  if (flags.json) {
    for (const [rank, r] of results.entries()) printJson({ rank: rank + 1, text: prime + r.text, logProb: r.logProb, natsPerChar: -r.logProb / length, model: loaded.path, beam: flags.beam, length, prime });
    return;
  }
  const score = (logProb: number) => `ln p = ${fmt(logProb, 3)} (${fmt(-logProb / length, 4)} nats/char)`;
  if (results.length === 1) {
    const text = prime + results[0]!.text;
    out(text.endsWith('\n') ? text : `${text}\n`);
    info(score(results[0]!.logProb));
    return;
  }
  for (const [rank, r] of results.entries()) {
    const text = prime + r.text;
    out(`${rank === 0 ? '' : '\n'}=== ${rank + 1}: ${score(r.logProb)} ===\n${text.endsWith('\n') ? text : `${text}\n`}`);
  }
}
